/**
 * findings.ocsf.json: one OCSF Compliance Finding (class_uid 2003, OCSF schema 1.3.0,
 * https://schema.ocsf.io/1.3.0/classes/compliance_finding) per key, in a JSON array written one
 * record per line (see json-array.ts: one array so any JSON tool reads it, one line per record so
 * large runs stream). The `cloud` profile is applied (cloud.provider "AWS", account, org, region).
 *
 * Status (compliance.status_id, objects/compliance.json in 1.3.0: 0 Unknown, 1 Pass, 2 Warning,
 * 3 Fail, 99 Other):
 *   PASS → 1 Pass; FAIL → 3 Fail; EXCEPTION → 3 Fail with the approved exception in status_detail;
 *   NOT_APPLICABLE → 99 Other, status "Not Applicable" (1.3.0 has no such enum value);
 *   ERROR → 0 Unknown, the AWS error code in status_code and code/operation/message in status_detail.
 * finding_info.uid is stable across runs: `<rule id>/<key ARN>` (findingUid below).
 */
import type { SelectedFramework } from '../../frameworks/index.js';
import type { KeyResult, ResultsHeader } from '../../core/results.js';
import { remediationCommand } from '../../rules/kms-002/remediation.js';

export const OCSF_SCHEMA_VERSION = '1.3.0';
export const OCSF_FILE = 'findings.ocsf.json';
/** category_uid × 1000 + class uid (categories.json: findings = 2; compliance_finding uid 3). */
export const OCSF_CLASS_UID = 2003;
const ACTIVITY_CREATE = 1;

export interface OcsfContext {
  header: ResultsHeader;
  frameworks: readonly SelectedFramework[];
}

/** Stable across runs: the same key and rule always give the same uid. */
export function findingUid(key: Pick<KeyResult, 'ruleId' | 'keyArn'>): string {
  return `${key.ruleId}/${key.keyArn}`;
}

const SEVERITY: Record<KeyResult['severity'], [id: number, name: string]> = { LOW: [2, 'Low'], MEDIUM: [3, 'Medium'], HIGH: [4, 'High'] };

export function complianceStatus(key: Pick<KeyResult, 'status' | 'reason' | 'exceptionId' | 'error'>): { status_id: number; status: string; status_detail: string; status_code?: string } {
  switch (key.status) {
    case 'PASS':
      return { status_id: 1, status: 'Pass', status_detail: key.reason };
    case 'FAIL':
      return { status_id: 3, status: 'Fail', status_detail: key.reason };
    case 'EXCEPTION':
      return { status_id: 3, status: 'Fail', status_detail: `Approved exception ${key.exceptionId ?? '(unnamed)'}: ${key.reason}` };
    case 'NOT_APPLICABLE':
      return { status_id: 99, status: 'Not Applicable', status_detail: key.reason };
    case 'ERROR': {
      const e = key.error;
      return {
        status_id: 0,
        status: 'Unknown',
        status_detail: e ? `${key.reason} (${e.code} at ${e.operation}: ${e.message})` : key.reason,
        ...(e ? { status_code: e.code } : {}),
      };
    }
  }
}

/** The frameworks of the key's rule: the version label (e.g. "CIS AWS Foundations Benchmark v7.0.0") as standards, "<reference> <control id>" as requirements. */
function frameworksOf(ctx: OcsfContext, ruleId: string): { standards: string[]; requirements: string[] } {
  const shown = ctx.frameworks.filter((f) => f.rule === ruleId);
  return {
    standards: shown.map((f) => f.versionLabel),
    requirements: shown.flatMap((f) => f.controls.map((c) => `${f.reference} ${c.id}`)),
  };
}

export function ocsfRecord(key: KeyResult, ctx: OcsfContext): Record<string, unknown> {
  const { header } = ctx;
  const [severityId, severity] = SEVERITY[key.severity] ?? [0, 'Unknown'];
  const time = Date.parse(key.evaluatedAt);
  const fix = remediationCommand(key, header.parameters.maxRotationDays);
  const uid = findingUid(key);
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: OCSF_CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: OCSF_CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Compliance Finding: Create',
    time: Number.isFinite(time) ? time : Date.parse(header.finishedAt),
    severity_id: severityId,
    severity,
    message: key.reason,
    metadata: metadataOf(header, uid),
    finding_info: {
      uid,
      title: `${key.ruleId}: automatic rotation of KMS key ${key.keyId}`,
      desc: key.reason,
      types: ['Software and Configuration Checks'],
      modified_time: Number.isFinite(time) ? time : undefined,
    },
    compliance: {
      control: key.ruleId,
      ...frameworksOf(ctx, key.ruleId),
      ...complianceStatus(key),
    },
    resources: [resourceOf(key, header)],
    cloud: cloudOf(key, header),
    ...(fix ? { remediation: { desc: `Enable automatic rotation: ${fix}` } } : {}),
  };
}

/** The event's metadata: the schema version and profile, the tool, the scan it belongs to. */
function metadataOf(header: ResultsHeader, uid: string): Record<string, unknown> {
  return {
    version: OCSF_SCHEMA_VERSION,
    profiles: ['cloud'],
    product: { name: header.toolName, vendor_name: header.toolName, version: header.toolVersion },
    correlation_uid: header.scanId,
    uid: `${header.scanId}/${uid}`,
    ...(header.organizationId ? { tenant_uid: header.organizationId } : {}),
  };
}

/** The key as the finding's resource, with the facts the rule judged. */
function resourceOf(key: KeyResult, header: ResultsHeader): Record<string, unknown> {
  return {
    uid: key.keyArn,
    name: key.aliases[0] ?? key.keyId,
    type: 'AWS::KMS::Key',
    region: key.region,
    cloud_partition: header.partition,
    labels: key.aliases,
    data: {
      key_id: key.keyId,
      description: key.description,
      key_state: key.keyState,
      key_spec: key.keySpec,
      origin: key.origin,
      multi_region_type: key.multiRegionType,
      rotation_enabled: key.rotationEnabled,
      rotation_period_days: key.rotationPeriodDays,
      next_rotation_date: key.nextRotationDate,
      last_rotation_date: key.lastRotationDate,
      exception_id: key.exceptionId,
    },
  };
}

/** The cloud profile: provider, region, account, and the organization and OU when known. */
function cloudOf(key: KeyResult, header: ResultsHeader): Record<string, unknown> {
  return {
    provider: 'AWS',
    region: key.region,
    account: { uid: key.accountId, type_id: 10, type: 'AWS Account', ...(key.accountName ? { name: key.accountName } : {}) },
    ...(header.organizationId
      ? { org: { uid: header.organizationId, ...(key.ouIds.length ? { ou_uid: key.ouIds[key.ouIds.length - 1] } : {}), ...(key.ouPath ? { ou_name: key.ouPath } : {}) } }
      : {}),
  };
}
