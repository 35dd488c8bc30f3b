variable "role_name" {
  description = "Name of the remediator role (remediate --write-role-name)."
  type        = string
  default     = "KmsRotationAuditRemediator"
}

variable "remediator_principal_arn" {
  description = "ARN of the principal that runs remediate --apply (not the nightly scanner)."
  type        = string
}

variable "external_id" {
  description = "ExternalId the remediation passes to AssumeRole."
  type        = string
  sensitive   = true
}

variable "organization_id" {
  description = "When set (o-...), the principal must also belong to this organization (aws:PrincipalOrgID)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
