variable "deploy" {
  description = "What this workspace deploys: \"reader\" (one member account) or \"scanner\" (the scanner account)."
  type        = string
  default     = "reader"
  validation {
    condition     = contains(["reader", "scanner"], var.deploy)
    error_message = "deploy: expected reader or scanner."
  }
}

variable "account_id" {
  description = "The account to deploy into (12 digits)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id: expected a 12-digit account id."
  }
}

variable "region" {
  description = "Region for the provider (IAM is global)."
  type        = string
  default     = "us-east-1"
}

variable "deploy_role_name" {
  description = "Role assumed in each account to deploy (created by Organizations for new accounts)."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "organization_id" {
  description = "Your organization id (o-...)."
  type        = string
}

variable "scanner_principal_arn" {
  description = "ARN of the scanner role (output role_arn of the scanner workspace)."
  type        = string
  default     = ""
}

variable "external_id" {
  description = "ExternalId shared with the scanner's externalId option (set TF_VAR_external_id; 2..1224 characters of [\\w+=,.@:/-], as STS admits). Required for deploy = \"reader\"."
  type        = string
  sensitive   = true
  default     = ""
  validation {
    condition     = var.external_id == "" || can(regex("^[\\w+=,.@:/-]{2,1224}$", var.external_id))
    error_message = "external_id: expected 2..1224 characters of [\\w+=,.@:/-]."
  }
}

variable "scanner_assume_role_policy" {
  description = "Trust policy of the scanner role (JSON), for deploy = \"scanner\"."
  type        = string
  default     = ""
}

variable "allow_securityhub_publish" {
  description = "Let the scanner import findings into Security Hub (--publish securityhub)."
  type        = bool
  default     = false
}
