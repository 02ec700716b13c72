# Every name, ARN and policy document comes from the generated terraform.tfvars.json, so
# `terraform plan` shows the exact IAM JSON (nothing is "known after apply").

locals {
  tags = {
    Environment = var.environment
    ManagedBy   = "gitops-gen"
    System      = var.system
  }
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secretsmanager_secrets

  name                    = each.value.name
  description             = each.value.description
  recovery_window_in_days = var.recovery_window_in_days
  kms_key_id              = var.kms_key_arn

  tags = merge(local.tags, {
    Name    = each.value.name
    Service = each.value.service
    Source  = each.value.source
  })
}

# No Parameter Store resources: a parameter cannot exist without a value, and a stand-in
# value would reach the pods. `gitops-gen push-secrets` creates each parameter (SecureString,
# the tags above, the KMS key) with its first real value; until then its ExternalSecret stays
# not-ready. The IRSA policies below already grant each parameter's exact ARN.
# Parameters an older version of this module created stay in AWS with their values:
removed {
  from = aws_ssm_parameter.this

  lifecycle {
    destroy = false
  }
}

resource "aws_iam_role" "irsa" {
  for_each = var.irsa_roles

  name               = each.value.name
  description        = "Reads only the secrets of ${each.value.service} in ${var.environment}"
  assume_role_policy = jsonencode(each.value.assume_role_policy)

  tags = merge(local.tags, {
    Name           = each.value.name
    Service        = each.value.service
    ServiceAccount = each.value.service_account
  })
}

resource "aws_iam_role_policy" "read_own_secrets" {
  for_each = var.irsa_roles

  name   = "read-own-secrets"
  role   = aws_iam_role.irsa[each.key].id
  policy = jsonencode(each.value.policy)
}
