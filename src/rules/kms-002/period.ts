/**
 * KMS-002's rotation periods: the default AWS applies, the range it accepts, and what "compliant"
 * means. The judgement (rule.ts), the remediation plan and its apply check (src/remediate/) and
 * the scripts' constants (src/remediate/script.ts) all read them from here.
 */

import { DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS } from '../../core/kms-rotation.js';

export { DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS };

/** The period a key rotates with: as answered, or AWS's default when the answer leaves it out. */
export function effectivePeriodDays(periodDays: number | null): number {
  return periodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
}

/** Rotation on, at least every `maxRotationDays`: the rule's PASS, and what remediation checks before and after a change. */
export function isCompliant(rotation: { enabled: boolean; periodDays: number | null }, maxRotationDays: number): boolean {
  return rotation.enabled && effectivePeriodDays(rotation.periodDays) <= maxRotationDays;
}
