/** The findings.csv columns, in order, and how a key becomes one row. See templates/report/data-dictionary.md. */
import type { KeyResult, ResultsHeader } from '../core/results.js';
import { remediationCommand } from '../rules/kms-002/remediation.js';
import { isoUtc } from '../core/text.js';
import type { Cell } from '../io/csv.js';

export const FINDINGS_COLUMNS = [
  'scan_id', 'evaluated_at', 'account_id', 'account_name', 'ou_path', 'region', 'key_id', 'key_arn', 'aliases', 'description',
  'key_manager', 'key_spec', 'key_usage', 'origin', 'key_state', 'multi_region_type', 'primary_key_arn', 'rotation_enabled',
  'rotation_period_days', 'next_rotation_date', 'last_rotation_date', 'last_rotation_type', 'status', 'reason', 'exception_id',
  'rule_id', 'severity', 'controls', 'remediation', 'evidence_gaps', 'inferences',
  // Issue 11, appended so existing column positions stay.
  'creation_date', 'owner', 'managed_by',
] as const;

/**
 * The tag CloudFormation puts on every resource a stack creates (AWS CloudFormation User Guide,
 * "Resource tag": aws:cloudformation:stack-name, stack-id and logical-id,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html).
 */
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';

/** A cell before CSV casting: strings are text (formula-guarded), numbers and booleans are typed, null is empty. */

export interface FindingsContext {
  header: ResultsHeader;
  /** The `controls` value for every row (same for every key of the rule). */
  controls: string;
  /** The tag read for `owner`, and those read for `managed_by`: from the scan's parameters (peopleTags). */
  people: PeopleTags;
}

export interface PeopleTags {
  /** null: the scan was not asked for an owner tag (the column stays empty). */
  ownerTag: string | null;
  /** Empty: not asked (neither --owner-tag nor --managed-by-tag, so tags were not read for every key). */
  managedByTags: readonly string[];
}

/**
 * Which tags fill `owner` and `managed_by`. Only a scan that read every applicable key's tags
 * (--owner-tag or --managed-by-tag) fills them: tags read for failing keys alone (an exception scope
 * by tag) would leave the columns filled on some rows and empty on others for no visible reason.
 */
export function peopleTags(header: ResultsHeader): PeopleTags {
  const { ownerTag = null, managedByTag = null } = header.parameters;
  if (ownerTag === null && managedByTag === null) return { ownerTag: null, managedByTags: [] };
  return { ownerTag, managedByTags: managedByTag === null || managedByTag === CLOUDFORMATION_STACK_TAG ? [CLOUDFORMATION_STACK_TAG] : [CLOUDFORMATION_STACK_TAG, managedByTag] };
}

export function findingRow(key: KeyResult, ctx: FindingsContext): Cell[] {
  return [
    ctx.header.scanId,
    isoUtc(key.evaluatedAt),
    key.accountId,
    key.accountName,
    key.ouPath,
    key.region,
    key.keyId,
    key.keyArn,
    key.aliases.length ? key.aliases.join('; ') : null,
    key.description || null,
    key.keyManager,
    key.keySpec,
    key.keyUsage,
    key.origin,
    key.keyState,
    key.multiRegionType,
    key.primaryKeyArn,
    key.rotationEnabled,
    typeof key.rotationPeriodDays === 'number' && Number.isFinite(key.rotationPeriodDays) ? key.rotationPeriodDays : null,
    isoUtc(key.nextRotationDate),
    isoUtc(key.lastRotationDate),
    key.lastRotationType,
    key.status,
    reasonWithError(key),
    key.exceptionId,
    key.ruleId,
    key.severity,
    ctx.controls || null,
    remediationCommand(key, ctx.header.parameters.maxRotationDays),
    evidenceGapsCell(key),
    key.inferences?.length ? key.inferences.join(' ') : null,
    isoUtc(key.creationDate),
    ownerCell(key, ctx.people),
    managedByCell(key, ctx.people),
  ];
}

/** The owner tag's value; empty when not asked, not read (see evidence_gaps) or not set on the key. */
export function ownerCell(key: Pick<KeyResult, 'tags'>, people: PeopleTags): string | null {
  if (people.ownerTag === null || !key.tags || !Object.hasOwn(key.tags, people.ownerTag)) return null;
  return key.tags[people.ownerTag] || null;
}

/** `aws:cloudformation:stack-name=payments-kms; ManagedBy=terraform`: each managed-by tag the key carries, as key=value. */
export function managedByCell(key: Pick<KeyResult, 'tags'>, people: PeopleTags): string | null {
  const tags = key.tags;
  if (!tags) return null;
  const found = people.managedByTags.filter((name) => Object.hasOwn(tags, name)).map((name) => `${name}=${tags[name]}`);
  return found.length ? found.join('; ') : null;
}

const EVIDENCE_NAMES = { 'rotation-history': 'rotation history', tags: 'tags', aliases: 'aliases' } as const;

/** `rotation history: AccessDeniedException at kms:ListKeyRotations; tags: …` (empty when every piece of evidence was read). */
export function evidenceGapsCell(key: Pick<KeyResult, 'evidenceGaps'>): string | null {
  const gaps = key.evidenceGaps ?? [];
  if (gaps.length === 0) return null;
  return gaps.map((gap) => `${EVIDENCE_NAMES[gap.evidence] ?? gap.evidence}: ${gap.error.code} at ${gap.error.operation}`).join('; ');
}

/** An ERROR's reason carries the AWS error code and operation, so the CSV alone says what failed. */
export function reasonWithError(key: Pick<KeyResult, 'reason' | 'error'>): string {
  const e = key.error;
  if (!e || key.reason.includes(e.code)) return key.reason;
  return `${key.reason} (${e.code} at ${e.operation})`;
}
