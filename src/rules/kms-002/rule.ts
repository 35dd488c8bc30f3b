/**
 * KMS-002: customer managed symmetric encryption keys with KMS-generated key material rotate
 * automatically, at least every `maxRotationDays`.
 *
 * AWS facts encoded here (KMS developer guide "Rotate AWS KMS keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html):
 * automatic rotation exists only for SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT keys with Origin AWS_KMS
 * outside custom key stores; AWS managed keys are rotated by AWS every year; a multi-Region
 * replica shares the rotation of its primary; RotationPeriodInDays defaults to 365 when absent.
 */
import type { KeyFacts, KeyMetadataFacts } from '../../collect/facts.js';
import { Status } from '../../core/results.js';
import type { Judgement, Rule, RulePolicy } from '../types.js';

export const KMS_002_ID = 'KMS-002';
/** AWS's documented default rotation period (GetKeyRotationStatus.RotationPeriodInDays). */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

const REQUIRED_FIELDS = ['keyManager', 'keySpec', 'keyUsage', 'origin', 'keyState'] as const;

/**
 * Enum values the rule knows (KMS API model kms-2014-11-01: KeyManagerType, OriginType, KeyState).
 * A value outside them is a member the verdict needs that the rule cannot read: ERROR, not a guess.
 * KeySpec and KeyUsage need no list: only SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT keys rotate, so any
 * other value (a newer one included) is correctly not applicable.
 */
const KNOWN: Record<'keyManager' | 'origin' | 'keyState', ReadonlySet<string>> = {
  keyManager: new Set(['AWS', 'CUSTOMER']),
  origin: new Set(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']),
  keyState: new Set(['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Updating']),
};
const MEMBER_NAMES: Record<(typeof REQUIRED_FIELDS)[number], string> = { keyManager: 'KeyManager', keySpec: 'KeySpec', keyUsage: 'KeyUsage', origin: 'Origin', keyState: 'KeyState' };

/** Why the rule does not apply, from DescribeKey alone; null when it applies (rotation status needed). */
export function notApplicableReason(m: KeyMetadataFacts, policy: RulePolicy): string | null {
  if (m.keyManager === 'AWS') {
    return 'AWS managed key: AWS rotates its key material every year and customers cannot change that.';
  }
  const spec = m.keySpec ?? 'unknown';
  if (m.keyUsage === 'KEY_AGREEMENT') {
    return `Key agreement key (${spec}): automatic rotation applies only to symmetric encryption keys.`;
  }
  if (m.keyUsage === 'GENERATE_VERIFY_MAC' || spec.startsWith('HMAC_')) {
    return `HMAC key (${spec}): automatic rotation applies only to symmetric encryption keys.`;
  }
  if (spec !== 'SYMMETRIC_DEFAULT' || m.keyUsage !== 'ENCRYPT_DECRYPT') {
    return `Asymmetric key (${spec}, ${m.keyUsage ?? 'unknown usage'}): automatic rotation applies only to symmetric encryption keys.`;
  }
  if (m.origin === 'EXTERNAL') {
    return 'Imported key material (Origin EXTERNAL): KMS cannot rotate it automatically; only on-demand rotation is possible.';
  }
  if (m.origin === 'AWS_CLOUDHSM') {
    return `Key in an AWS CloudHSM custom key store (${m.customKeyStoreId ?? 'id not returned'}): automatic rotation is not supported.`;
  }
  if (m.origin === 'EXTERNAL_KEY_STORE') {
    return `Key in an external key store (${m.customKeyStoreId ?? 'id not returned'}): automatic rotation is not supported.`;
  }
  if (m.customKeyStoreId) {
    return `Key in a custom key store (${m.customKeyStoreId}): automatic rotation is not supported.`;
  }
  if (m.multiRegionType === 'REPLICA') {
    // Final wording comes from the scan once the primary is judged (src/engine/multi-region.ts).
    return `Multi-Region replica key: rotation is set on its primary key ${m.primaryKeyArn ?? '(primary ARN not returned)'}.`;
  }
  switch (m.keyState) {
    case 'PendingDeletion':
      return `Pending deletion${m.deletionDate ? ` (deletion date ${day(m.deletionDate)})` : ''}: a key scheduled for deletion is not rotated.`;
    case 'PendingReplicaDeletion':
      return 'Pending replica deletion: a multi-Region key waiting for its replicas to be deleted is not rotated.';
    case 'PendingImport':
      return 'Pending import: the key has no key material yet, so there is nothing to rotate.';
    case 'Disabled':
      if (!policy.evaluateDisabled) {
        return 'Disabled key: KMS does not rotate the key material of a disabled key (judge disabled keys with --evaluate-disabled).';
      }
      return null;
    default:
      return null;
  }
}

/** Members the verdict needs that are absent, or carry a value the rule does not know. */
function missingFields(m: KeyMetadataFacts): string[] {
  const out: string[] = REQUIRED_FIELDS.filter((field) => m[field] === null).map((field) => MEMBER_NAMES[field]);
  for (const field of ['keyManager', 'origin', 'keyState'] as const) {
    const value = m[field];
    if (value !== null && !KNOWN[field].has(value)) out.push(`a known ${MEMBER_NAMES[field]} (answered ${JSON.stringify(value).replace(/\p{Cc}/gu, ' ').slice(0, 60)})`);
  }
  return [...out, ...(m.unknownMembers ?? [])];
}

function needsRotationStatus(m: KeyMetadataFacts, policy: RulePolicy): boolean {
  return missingFields(m).length === 0 && notApplicableReason(m, policy) === null;
}

function judge(facts: KeyFacts, policy: RulePolicy): Judgement {
  if (facts.failure) {
    const { error } = facts.failure;
    if (facts.failure.kind === 'deleted') {
      return { status: Status.Error, reason: `Could not check: the key was deleted during the scan (${error.operation} answered ${error.code}).` };
    }
    if (facts.failure.kind === 'incomplete') {
      return { status: Status.Error, reason: `Could not check: ${error.operation} answered without a boolean ${facts.failure.detail ?? 'member'} (no evidence is no verdict).` };
    }
    if (facts.failure.kind === 'not-ready') {
      return { status: Status.Error, reason: `Could not check: the key was in state ${facts.failure.detail ?? 'unknown'} (KMS was still creating or updating it), also when looked at again later in the scan.` };
    }
    return { status: Status.Error, reason: `Could not check: ${error.operation} failed with ${error.code}.` };
  }
  const m = facts.metadata;
  if (!m) return { status: Status.Error, reason: 'Could not check: the key was not described (kms:DescribeKey).' };
  const missing = missingFields(m);
  if (missing.length > 0) {
    return { status: Status.Error, reason: `Could not check: kms:DescribeKey answered without ${missing.join(', ')}.` };
  }
  const notApplicable = notApplicableReason(m, policy);
  if (notApplicable) {
    if (m.multiRegionType === 'REPLICA' && notApplicable.startsWith('Multi-Region replica')) return { status: Status.NotApplicable, reason: notApplicable, judgedThroughPrimary: m.primaryKeyArn };
    return { status: Status.NotApplicable, reason: notApplicable };
  }

  const rotation = facts.rotation;
  if (!rotation) return { status: Status.Error, reason: 'Could not check: the rotation status was not collected (kms:GetKeyRotationStatus).' };
  // KMS does not rotate a disabled key; rotation that is on resumes when it is enabled again (KMS developer guide, "Rotate AWS KMS keys").
  const disabledNote = m.keyState === 'Disabled' ? ' The key is disabled: while it stays disabled KMS does not rotate it; rotation that is on resumes when it is enabled again.' : '';
  if (!rotation.enabled) {
    const offNote = m.keyState === 'Disabled' ? ' The key is disabled, and rotation is off: KMS will not rotate it when it is enabled again unless rotation is turned on.' : '';
    return { status: Status.Fail, reason: `Automatic key rotation is disabled (policy: at least every ${policy.maxRotationDays} days).${offNote}` };
  }
  const historyGap = (facts.evidenceGaps ?? []).find((gap) => gap.evidence === 'rotation-history');
  const period = rotation.periodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  const periodText = rotation.periodDays === null ? `${period} days (the AWS default; no period was returned)` : `${period} days`;
  if (period > policy.maxRotationDays) {
    return {
      status: Status.Fail,
      reason: `Automatic key rotation is enabled every ${periodText}, longer than the policy maximum of ${policy.maxRotationDays} days.${disabledNote}`,
    };
  }
  const evidence = [
    rotation.lastRotationDate
      ? `last rotated ${day(rotation.lastRotationDate)}${rotation.lastRotationType === 'ON_DEMAND' ? ' (on demand)' : ''}`
      : historyGap
        ? `rotation history not available (${historyGap.error.operation} failed with ${historyGap.error.code})`
        : 'not rotated yet',
    rotation.nextRotationDate ? `next rotation ${day(rotation.nextRotationDate)}` : null,
  ].filter((part): part is string => part !== null);
  return {
    status: Status.Pass,
    reason: `Automatic key rotation is enabled every ${periodText} (policy maximum ${policy.maxRotationDays} days); ${evidence.join(', ')}.${disabledNote}`,
  };
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

export const kms002: Rule = {
  id: KMS_002_ID,
  title: 'KMS key rotation enabled',
  // Conformity rates KMS-002 "Medium (should be achieved)" (shared/seed/kms-002-key-rotation-enabled.txt).
  severity: 'MEDIUM',
  needsRotationStatus,
  judge,
};
