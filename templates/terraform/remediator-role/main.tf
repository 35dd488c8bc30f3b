# Remediator role (optional) in the member accounts where the tool may fix keys:
# templates/iam/remediator-policy.json. Trust a different principal than the nightly scanner.

terraform {
  required_version = ">= 1.3.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

locals {
  remediator_policy = jsondecode(file("${path.module}/../../iam/remediator-policy.json"))
  trust_conditions = merge(
    { "sts:ExternalId" = var.external_id },
    var.organization_id == "" ? {} : { "aws:PrincipalOrgID" = var.organization_id },
  )
}

resource "aws_iam_role" "remediator" {
  name                 = var.role_name
  description          = "kms-rotation-audit: enable KMS key rotation (remediate --apply)"
  max_session_duration = 3600
  tags                 = var.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "RemediatorWithExternalId"
      Effect    = "Allow"
      Principal = { AWS = var.remediator_principal_arn }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = local.trust_conditions }
    }]
  })
}

resource "aws_iam_role_policy" "remediate" {
  name   = "KmsRotationAuditRemediate"
  role   = aws_iam_role.remediator.id
  policy = jsonencode(local.remediator_policy)
}
