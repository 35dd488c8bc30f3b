output "role_arn" {
  description = "ARN of the remediator role."
  value       = aws_iam_role.remediator.arn
}
