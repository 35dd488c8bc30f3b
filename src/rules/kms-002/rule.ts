/**
 * KMS-002: customer managed symmetric encryption keys with KMS-generated key material rotate
 * automatically, at least every `maxRotationDays`.
 *
 * AWS facts encoded in this folder (KMS developer guide "Rotate AWS KMS keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html): automatic rotation
 * exists only for SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT keys with Origin AWS_KMS outside custom key
 * stores, AWS managed keys are rotated by AWS every year, a multi-Region replica shares the rotation
 * of its primary (applicability.ts); RotationPeriodInDays defaults to 365 days when absent (period.ts).
 * The fix for a FAIL comes from the same folder (remediation.ts).
 */
import type { KeyFacts, KeyMetadataFacts } from '../../collect/facts.js';
import { Status } from '../../core/results.js';
import { isoDay } from '../../core/text.js';
import type { Judgement, Rule, RulePolicy } from '../types.js';
import { notApplicableReason } from './applicability.js';
import { effectivePeriodDays, isCompliant } from './period.js';

const KMS_002_ID = 'KMS-002';

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
  if (facts.failure) return failureJudgement(facts.failure);
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
  if (!facts.rotation) return { status: Status.Error, reason: 'Could not check: the rotation status was not collected (kms:GetKeyRotationStatus).' };
  return rotationJudgement(facts.rotation, m, facts.evidenceGaps ?? [], policy);
}

/** A key whose collection failed: ERROR, saying how. */
function failureJudgement(failure: NonNullable<KeyFacts['failure']>): Judgement {
  const { error } = failure;
  if (failure.kind === 'deleted') {
    return { status: Status.Error, reason: `Could not check: the key was deleted during the scan (${error.operation} answered ${error.code}).` };
  }
  if (failure.kind === 'incomplete') {
    return { status: Status.Error, reason: `Could not check: ${error.operation} answered without a boolean ${failure.detail ?? 'member'} (no evidence is no verdict).` };
  }
  if (failure.kind === 'not-ready') {
    return { status: Status.Error, reason: `Could not check: the key was in state ${failure.detail ?? 'unknown'} (KMS was still creating or updating it), also when looked at again later in the scan.` };
  }
  return { status: Status.Error, reason: `Could not check: ${error.operation} failed with ${error.code}.` };
}

/** A key the rule applies to, judged on its rotation status: PASS when compliant (period.ts), else FAIL. */
function rotationJudgement(rotation: NonNullable<KeyFacts['rotation']>, m: KeyMetadataFacts, gaps: KeyFacts['evidenceGaps'], policy: RulePolicy): Judgement {
  // KMS does not rotate a disabled key; rotation that is on resumes when it is enabled again (KMS developer guide, "Rotate AWS KMS keys").
  const disabledNote = m.keyState === 'Disabled' ? ' The key is disabled: while it stays disabled KMS does not rotate it; rotation that is on resumes when it is enabled again.' : '';
  if (!rotation.enabled) {
    const offNote = m.keyState === 'Disabled' ? ' The key is disabled, and rotation is off: KMS will not rotate it when it is enabled again unless rotation is turned on.' : '';
    return { status: Status.Fail, reason: `Automatic key rotation is disabled (policy: at least every ${policy.maxRotationDays} days).${offNote}` };
  }
  const period = effectivePeriodDays(rotation.periodDays);
  const periodText = rotation.periodDays === null ? `${period} days (the AWS default; no period was returned)` : `${period} days`;
  if (!isCompliant(rotation, policy.maxRotationDays)) {
    return {
      status: Status.Fail,
      reason: `Automatic key rotation is enabled every ${periodText}, longer than the policy maximum of ${policy.maxRotationDays} days.${disabledNote}`,
    };
  }
  const historyGap = gaps.find((gap) => gap.evidence === 'rotation-history');
  const evidence = [
    rotation.lastRotationDate
      ? `last rotated ${isoDay(rotation.lastRotationDate)}${rotation.lastRotationType === 'ON_DEMAND' ? ' (on demand)' : ''}`
      : historyGap
        ? `rotation history not available (${historyGap.error.operation} failed with ${historyGap.error.code})`
        : 'not rotated yet',
    rotation.nextRotationDate ? `next rotation ${isoDay(rotation.nextRotationDate)}` : null,
  ].filter((part): part is string => part !== null);
  return {
    status: Status.Pass,
    reason: `Automatic key rotation is enabled every ${periodText} (policy maximum ${policy.maxRotationDays} days); ${evidence.join(', ')}.${disabledNote}`,
  };
}

export const kms002: Rule = {
  id: KMS_002_ID,
  title: 'KMS key rotation enabled',
  // Trend Micro Conformity rates KMS-002 "Medium (should be achieved)":
  // https://www.trendmicro.com/cloudoneconformity/knowledge-base/aws/KMS/key-rotation-enabled.html
  severity: 'MEDIUM',
  needsRotationStatus,
  judge,
};
