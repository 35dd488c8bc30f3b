# Scanner role in the account the container runs in (management account or delegated administrator):
# templates/iam/scanner-policy.json with the organization id and read role name filled in, plus
# optionally templates/iam/reports-bucket-policy.json (--upload) and
# templates/iam/securityhub-publish-policy.json (--publish securityhub).

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
  scanner_policy = jsondecode(replace(replace(
    file("${path.module}/../../iam/scanner-policy.json"),
    "o-exampleorgid", var.organization_id),
  "role/KmsRotationAuditReader", "role/${var.reader_role_name}"))
  securityhub_policy = jsondecode(file("${path.module}/../../iam/securityhub-publish-policy.json"))
}

resource "aws_iam_role" "scanner" {
  name                 = var.role_name
  description          = "kms-rotation-audit: nightly scanner"
  max_session_duration = var.max_session_duration
  tags                 = var.tags
  assume_role_policy   = var.assume_role_policy
}

resource "aws_iam_role_policy" "scan" {
  name   = "KmsRotationAuditScan"
  role   = aws_iam_role.scanner.id
  policy = jsonencode(local.scanner_policy)
}

resource "aws_iam_role_policy" "reports_bucket" {
  count  = var.reports_bucket_policy_json == "" ? 0 : 1
  name   = "KmsRotationAuditReportsBucket"
  role   = aws_iam_role.scanner.id
  policy = var.reports_bucket_policy_json
}

resource "aws_iam_role_policy" "securityhub_publish" {
  count  = var.allow_securityhub_publish ? 1 : 0
  name   = "KmsRotationAuditSecurityHubPublish"
  role   = aws_iam_role.scanner.id
  policy = jsonencode(local.securityhub_policy)
}
