/**
 * findings.asff.json and the findings `--publish securityhub` imports: one AWS Security Finding Format
 * record per key (AwsSecurityFinding in the Security Hub API model securityhub-2018-10-26; the ASFF
 * reference: https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html).
 *
 * Compliance.Status (model enum ComplianceStatus):
 *   PASS → PASSED; FAIL → FAILED; EXCEPTION → FAILED with the approved exception in StatusReasons
 *   (and Workflow SUPPRESSED when the finding is first created); NOT_APPLICABLE → NOT_AVAILABLE;
 *   ERROR → NOT_AVAILABLE with the AWS error in StatusReasons. WARNING is not produced (the check
 *   either ran or did not).
 * Workflow.Status is sent for a finding's first import only: Security Hub keeps the customer's
 * workflow after that and itself moves it to RESOLVED when Compliance.Status turns PASSED or the
 * record is ARCHIVED ("Workflow" in the ASFF reference); publish.ts relies on that for the lifecycle.
 * Id is stable across runs: `<rule id>/<key ARN>`, the same value as the OCSF finding uid.
 */
import type { SelectedFramework } from '../../frameworks/index.js';
import type { KeyResult, ResultsHeader } from '../../core/results.js';
import { remediationCommand } from '../../rules/kms-002/remediation.js';
import { findingUid } from './ocsf.js';

export const ASFF_FILE = 'findings.asff.json';
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** The model's Partition enum. */
const ASFF_PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);

export type ComplianceStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'WARNING';
export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

export interface AsffContext {
  header: ResultsHeader;
  frameworks: readonly SelectedFramework[];
  /** The account and region whose Security Hub receives the finding (ProductArn's account and region). */
  productAccountId: string;
  productRegion: string;
  /** UpdatedAt of this import (the run's finish time by default). */
  updatedAt?: string;
}

export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  AwsAccountName?: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Severity: { Label: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; Original: string };
  Title: string;
  Description: string;
  Remediation?: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: { Type: string; Id: string; Partition?: string; Region: string; Tags?: Record<string, string> }[];
  Compliance: { Status: ComplianceStatus; RelatedRequirements?: string[]; StatusReasons?: { ReasonCode: string; Description?: string }[]; SecurityControlId?: string };
  Workflow?: { Status: WorkflowStatus };
  RecordState: 'ACTIVE' | 'ARCHIVED';
}

/** The default product ARN of an account's own findings (Security Hub, "Using custom product integrations"). */
export function defaultProductArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

export function asffComplianceStatus(status: KeyResult['status']): ComplianceStatus {
  switch (status) {
    case 'PASS':
      return 'PASSED';
    case 'FAIL':
    case 'EXCEPTION':
      return 'FAILED';
    case 'NOT_APPLICABLE':
    case 'ERROR':
      return 'NOT_AVAILABLE';
  }
}

/** The workflow a finding starts in (sent on its first import only). */
export function initialWorkflow(status: KeyResult['status']): WorkflowStatus {
  if (status === 'PASS' || status === 'NOT_APPLICABLE') return 'RESOLVED';
  if (status === 'EXCEPTION') return 'SUPPRESSED';
  return 'NEW';
}

// ASFF NonEmptyString: pattern .*\S.*; Title is at most 256 characters, Description 1024 (ASFF reference).
const nonEmpty = (s: string | null | undefined, fallback: string): string => (s && /\S/.test(s) ? s : fallback);
const clip = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max - 1) + '…');

function reasons(key: KeyResult): { ReasonCode: string; Description?: string }[] | undefined {
  if (key.status === 'EXCEPTION') return [{ ReasonCode: 'APPROVED_EXCEPTION', Description: clip(`Approved exception ${key.exceptionId ?? '(unnamed)'}: ${nonEmpty(key.reason, 'approved')}`, 2048) }];
  if (key.status === 'ERROR') {
    const e = key.error;
    return [{ ReasonCode: e ? nonEmpty(e.code, 'ERROR') : 'ERROR', Description: clip(e ? `${key.reason} (${e.code} at ${e.operation}: ${e.message})` : nonEmpty(key.reason, 'error'), 2048) }];
  }
  if (key.status === 'NOT_APPLICABLE') return [{ ReasonCode: 'NOT_APPLICABLE', Description: clip(nonEmpty(key.reason, 'not applicable'), 2048) }];
  return undefined;
}

export function asffFinding(key: KeyResult, ctx: AsffContext): AsffFinding {
  const { header } = ctx;
  const shown = ctx.frameworks.filter((f) => f.rule === key.ruleId);
  const requirements = shown.flatMap((f) => f.controls.map((c) => `${f.reference} ${c.id}`));
  const fix = remediationCommand(key, header.parameters.maxRotationDays);
  const updatedAt = ctx.updatedAt ?? header.finishedAt;
  const why = reasons(key);
  const productFields: Record<string, string> = {
    'kms-rotation-audit/ScanId': header.scanId,
    'kms-rotation-audit/Status': key.status,
    'kms-rotation-audit/KeyId': key.keyId,
  };
  if (key.exceptionId) productFields['kms-rotation-audit/ExceptionId'] = key.exceptionId;
  if (key.aliases.length) productFields['kms-rotation-audit/Aliases'] = clip(key.aliases.join(', '), 2048);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingUid(key),
    ProductArn: defaultProductArn(header.partition, ctx.productRegion, ctx.productAccountId),
    ProductName: 'kms-rotation-audit',
    CompanyName: nonEmpty(header.toolName, 'kms-rotation-audit'),
    Region: key.region,
    GeneratorId: `kms-rotation-audit/${key.ruleId}`,
    AwsAccountId: key.accountId,
    ...(key.accountName && /\S/.test(key.accountName) ? { AwsAccountName: key.accountName } : {}),
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    CreatedAt: nonEmpty(key.evaluatedAt, updatedAt),
    UpdatedAt: updatedAt,
    LastObservedAt: nonEmpty(key.evaluatedAt, updatedAt),
    Severity: { Label: key.status === 'PASS' || key.status === 'NOT_APPLICABLE' ? 'INFORMATIONAL' : key.severity, Original: key.severity },
    Title: clip(`${key.ruleId} KMS key automatic rotation: ${key.keyId}`, 256),
    Description: clip(nonEmpty(key.reason, key.status), 1024),
    ...(fix ? { Remediation: { Recommendation: { Text: clip(`Enable automatic rotation: ${fix}`, 512), Url: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-enable.html' } } } : {}),
    ProductFields: productFields,
    Resources: [{ Type: 'AwsKmsKey', Id: key.keyArn, ...(ASFF_PARTITIONS.has(header.partition) ? { Partition: header.partition } : {}), Region: key.region }],
    Compliance: {
      Status: asffComplianceStatus(key.status),
      ...(requirements.length ? { RelatedRequirements: requirements.slice(0, 32) } : {}),
      ...(why ? { StatusReasons: why } : {}),
    },
    Workflow: { Status: initialWorkflow(key.status) },
    RecordState: 'ACTIVE',
  };
}
