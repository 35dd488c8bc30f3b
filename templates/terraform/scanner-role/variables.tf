variable "role_name" {
  description = "Name of the scanner role."
  type        = string
  default     = "KmsRotationAuditScanner"
}

variable "assume_role_policy" {
  description = "Trust policy of the scanner role (JSON): who runs the scan (ECS task role, IRSA, Pod Identity, …)."
  type        = string
}

variable "organization_id" {
  description = "Your organization id (o-...): AssumeRole is allowed only on roles of this organization (aws:ResourceOrgID)."
  type        = string
  validation {
    condition     = can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id: expected an organization id such as o-abcdefghij."
  }
}

variable "reader_role_name" {
  description = "Name of the read role in the member accounts."
  type        = string
  default     = "KmsRotationAuditReader"
}

variable "reports_bucket_policy_json" {
  description = "Optional: templates/iam/reports-bucket-policy.json with your bucket, prefix and key ARN filled in (for --upload)."
  type        = string
  default     = ""
}

variable "allow_securityhub_publish" {
  description = "Grant securityhub:BatchImportFindings (templates/iam/securityhub-publish-policy.json) for --publish securityhub."
  type        = bool
  default     = false
}

variable "max_session_duration" {
  description = "MaxSessionDuration of the role in seconds."
  type        = number
  default     = 3600
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
