output "secretsmanager_secret_ids" {
  description = "Secrets Manager secret ARNs by key of var.secretsmanager_secrets."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.id }
}

output "ssm_parameter_names" {
  description = "Parameter names by key of var.ssm_parameters (created by `gitops-gen push-secrets`)."
  value       = { for k, p in var.ssm_parameters : k => p.name }
}

output "irsa_role_arns" {
  description = "IRSA role ARNs by service: the eks.amazonaws.com/role-arn of its ServiceAccount."
  value       = { for k, r in aws_iam_role.irsa : k => r.arn }
}
