output "reader_role_arn" {
  description = "The read role created in this account (deploy = reader)."
  value       = one(module.reader[*].role_arn)
}

output "scanner_role_arn" {
  description = "The scanner role (deploy = scanner)."
  value       = one(module.scanner[*].role_arn)
}
