/**
 * Every AWS API operation the scanner can call (src/aws, src/collect, src/engine), with the SDK command
 * that sends it and who calls it. test/aws/operations.test.ts checks this list against the Command
 * classes those folders send, and the role policies of templates/iam/ against it; the PDF's methodology
 * prints the IAM actions of the operations a run actually called (header.apiCalls) with these notes.
 * Every IAM action has the operation's name (Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html,
 * …/list_awsorganizations.html, …/list_amazonec2.html, …/list_awssecuritytokenservice.html).
 */

/** reader: the read role in each member account (and the scanning identity in its own account);
 *  scanner: the scanning identity in the management account only; none: needs no permission. */
export type OperationCaller = 'reader' | 'scanner' | 'none';

export interface ScanOperation {
  /** `service:Operation`, as the throttle counts it and as the IAM action is named. */
  operation: string;
  command: string;
  package: string;
  caller: OperationCaller;
  /** When the scan calls it, for the methodology. */
  purpose: string;
}

export const SCAN_OPERATIONS: readonly ScanOperation[] = [
  { operation: 'sts:GetCallerIdentity', command: 'GetCallerIdentityCommand', package: '@aws-sdk/client-sts', caller: 'none', purpose: 'who the scan runs as (needs no permission)' },
  { operation: 'organizations:DescribeOrganization', command: 'DescribeOrganizationCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'the organization and its management account' },
  { operation: 'organizations:ListAccounts', command: 'ListAccountsCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'every account and its state' },
  { operation: 'organizations:ListRoots', command: 'ListRootsCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'the root of the OU tree' },
  { operation: 'organizations:ListOrganizationalUnitsForParent', command: 'ListOrganizationalUnitsForParentCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'the OU tree (OU paths)' },
  { operation: 'organizations:ListAccountsForParent', command: 'ListAccountsForParentCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'the accounts of each OU, when that takes fewer calls than ListParents' },
  { operation: 'organizations:ListParents', command: 'ListParentsCommand', package: '@aws-sdk/client-organizations', caller: 'scanner', purpose: 'the OU of each account, when that takes fewer calls than ListAccountsForParent' },
  { operation: 'sts:AssumeRole', command: 'AssumeRoleCommand', package: '@aws-sdk/client-sts', caller: 'scanner', purpose: 'the read role in each member account' },
  { operation: 'ec2:DescribeRegions', command: 'DescribeRegionsCommand', package: '@aws-sdk/client-ec2', caller: 'reader', purpose: 'the regions enabled for the account' },
  { operation: 'kms:ListKeys', command: 'ListKeysCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'the keys of each account-region' },
  { operation: 'kms:ListAliases', command: 'ListAliasesCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'key aliases' },
  { operation: 'kms:DescribeKey', command: 'DescribeKeyCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'key metadata: manager, spec, origin, state' },
  { operation: 'kms:GetKeyRotationStatus', command: 'GetKeyRotationStatusCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'whether automatic rotation is on, and its period' },
  { operation: 'kms:ListKeyRotations', command: 'ListKeyRotationsCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'the rotations on record' },
  { operation: 'kms:ListResourceTags', command: 'ListResourceTagsCommand', package: '@aws-sdk/client-kms', caller: 'reader', purpose: 'key tags (only when an exception scope or a report needs them)' },
];

export const OPERATION_BY_NAME: ReadonlyMap<string, ScanOperation> = new Map(SCAN_OPERATIONS.map((op) => [op.operation, op]));
