variable "role_name" {
  description = "Name of the read role (the scanner's roleName option)."
  type        = string
  default     = "KmsRotationAuditReader"
}

variable "scanner_principal_arn" {
  description = "ARN of the scanner role allowed to assume this role."
  type        = string
}

variable "external_id" {
  description = "ExternalId the scanner passes to AssumeRole (its externalId option): 2..1224 characters of [\\w+=,.@:/-]."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[\\w+=,.@:/-]{2,1224}$", var.external_id))
    error_message = "external_id: expected 2..1224 characters of [\\w+=,.@:/-]."
  }
}

variable "organization_id" {
  description = "When set (o-...), the scanner must also belong to this organization (aws:PrincipalOrgID)."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^(o-[a-z0-9]{10,32})?$", var.organization_id))
    error_message = "organization_id: expected an organization id such as o-abcdefghij, or empty."
  }
}

variable "max_session_duration" {
  description = "MaxSessionDuration of the role in seconds (3600..43200)."
  type        = number
  default     = 3600
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
