variable "system" {
  description = "Platform name from catalog/platform.yaml."
  type        = string
}

variable "environment" {
  description = "The environment this root module manages; every name below belongs to it."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
}

variable "kms_key_arn" {
  description = "Customer managed KMS key of the secrets; null for the AWS managed key."
  type        = string
  default     = null
}

variable "secretsmanager_secrets" {
  description = "Secrets Manager containers, no values: the values are written outside Git."
  type = map(object({
    name        = string
    service     = string
    description = string
    source      = string
  }))
}

variable "ssm_parameters" {
  description = "SecureString parameters the IRSA roles read; `gitops-gen push-secrets` creates them with their first value, not Terraform."
  type = map(object({
    name        = string
    service     = string
    description = string
  }))
}

variable "irsa_roles" {
  description = "Per service an IAM role for its Kubernetes ServiceAccount, reading only its own secrets."
  type = map(object({
    name               = string
    service            = string
    service_account    = string
    assume_role_policy = any
    policy             = any
  }))
}
