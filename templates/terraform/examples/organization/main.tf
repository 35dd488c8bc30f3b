# Example: the read role in one member account of the organization, deployed from the management
# account through that account's OrganizationAccountAccessRole. Terraform cannot create providers
# in a loop, so deploy-all.sh runs this configuration once per account of the organization's account
# list (aws organizations list-accounts), each in its own workspace (its own state).
# The scanner role is deployed once, in the scanner account, by the same configuration with
# deploy = "scanner" in a workspace of its own (README.md beside the modules shows the command).

terraform {
  required_version = ">= 1.3.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::${var.account_id}:role/${var.deploy_role_name}"
  }
}

module "reader" {
  count                 = var.deploy == "reader" ? 1 : 0
  source                = "../../reader-role"
  scanner_principal_arn = var.scanner_principal_arn
  external_id           = var.external_id
  organization_id       = var.organization_id
}

module "scanner" {
  count                     = var.deploy == "scanner" ? 1 : 0
  source                    = "../../scanner-role"
  organization_id           = var.organization_id
  assume_role_policy        = var.scanner_assume_role_policy
  allow_securityhub_publish = var.allow_securityhub_publish
}
