output "role_arn" {
  description = "ARN of the read role."
  value       = aws_iam_role.reader.arn
}

output "role_name" {
  description = "Name of the read role."
  value       = aws_iam_role.reader.name
}
