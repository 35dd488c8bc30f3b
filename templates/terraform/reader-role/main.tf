# Read role for every member account: the permissions are templates/iam/reader-policy.json, read
# here with file()/jsondecode so the CloudFormation StackSet and this module share one source.
# Trust: only the scanner role, with an ExternalId and, when organization_id is set, aws:PrincipalOrgID
# (IAM User Guide, "aws:PrincipalOrgID"; "How to use an external ID").

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
  reader_policy = jsondecode(file("${path.module}/../../iam/reader-policy.json"))
  trust_conditions = merge(
    { "sts:ExternalId" = var.external_id },
    var.organization_id == "" ? {} : { "aws:PrincipalOrgID" = var.organization_id },
  )
}

resource "aws_iam_role" "reader" {
  name                 = var.role_name
  description          = "kms-rotation-audit: read KMS key rotation settings (assumed by the scanner)"
  max_session_duration = var.max_session_duration
  tags                 = var.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ScannerWithExternalId"
      Effect    = "Allow"
      Principal = { AWS = var.scanner_principal_arn }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = local.trust_conditions }
    }]
  })
}

resource "aws_iam_role_policy" "read" {
  name   = "KmsRotationAuditRead"
  role   = aws_iam_role.reader.id
  policy = jsonencode(local.reader_policy)
}
