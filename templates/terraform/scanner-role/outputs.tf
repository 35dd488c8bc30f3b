output "role_arn" {
  description = "ARN of the scanner role: the read role modules' scanner_principal_arn."
  value       = aws_iam_role.scanner.arn
}
