output "irsa_role_arns" {
  description = "IRSA role ARNs by service (what the ServiceAccounts' eks.amazonaws.com/role-arn names)."
  value       = module.secrets.irsa_role_arns
}

output "secretsmanager_secret_ids" {
  description = "Secrets Manager secret ARNs."
  value       = module.secrets.secretsmanager_secret_ids
}

output "ssm_parameter_names" {
  description = "Parameter Store names the IRSA roles read; `gitops-gen push-secrets` creates them."
  value       = module.secrets.ssm_parameter_names
}
