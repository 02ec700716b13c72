output "secretsmanager_secret_ids" {
  description = "Secrets Manager secret ARNs by key of var.secretsmanager_secrets."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.id }
}

output "ssm_parameter_arns" {
  description = "Parameter ARNs by key of var.ssm_parameters."
  value       = { for k, p in aws_ssm_parameter.this : k => p.arn }
}

output "irsa_role_arns" {
  description = "IRSA role ARNs by service: the eks.amazonaws.com/role-arn of its ServiceAccount."
  value       = { for k, r in aws_iam_role.irsa : k => r.arn }
}
