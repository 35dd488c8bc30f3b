#!/bin/sh
# Deploys the read role to every ACTIVE account of the organization, one Terraform workspace per
# account. Run from this folder with management-account credentials:
#   SCANNER_ROLE_ARN=arn:aws:iam::111122223333:role/KmsRotationAuditScanner \
#   ORGANIZATION_ID=o-abcdefghij TF_VAR_external_id=... ./deploy-all.sh
# The management account itself has no OrganizationAccountAccessRole: deploy it with your own
# credentials (see templates/iam/README.md).
set -eu
: "${SCANNER_ROLE_ARN:?set SCANNER_ROLE_ARN}"
: "${ORGANIZATION_ID:?set ORGANIZATION_ID}"
# The ExternalId reaches Terraform through the environment only (never on a command line, which
# other users of the machine can read): TF_VAR_external_id.
: "${TF_VAR_external_id:?set TF_VAR_external_id (the ExternalId the scanner sends)}"
management=$(aws organizations describe-organization --query 'Organization.MasterAccountId' --output text)
terraform init -input=false
# shellcheck disable=SC2016 # the backticks are a JMESPath literal, not a shell expansion
for account in $(aws organizations list-accounts --query 'Accounts[?Status==`ACTIVE`].Id' --output text); do
  [ "$account" = "$management" ] && continue
  terraform workspace select -or-create "reader-$account"
  terraform apply -input=false -auto-approve \
    -var "deploy=reader" -var "account_id=$account" \
    -var "organization_id=$ORGANIZATION_ID" -var "scanner_principal_arn=$SCANNER_ROLE_ARN"
done
