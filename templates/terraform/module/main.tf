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

resource "aws_ssm_parameter" "this" {
  for_each = var.ssm_parameters

  name        = each.value.name
  description = each.value.description
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = each.value.placeholder

  tags = merge(local.tags, {
    Name    = each.value.name
    Service = each.value.service
  })

  lifecycle {
    # The pipeline (`gitops-gen push-secrets`) owns the value; Terraform only the parameter.
    ignore_changes = [value]
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
