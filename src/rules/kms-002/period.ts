/**
 * KMS-002's rotation periods: the default AWS applies, the range it accepts, and what "compliant"
 * means. The judgement (rule.ts), the remediation plan and its apply check (src/remediate/) and
 * the scripts' constants (src/remediate/script.ts) all read them from here.
 */

/**
 * The rotation period AWS applies when none is given: EnableKeyRotation without RotationPeriodInDays
 * sets 365 days (KMS API reference, EnableKeyRotation, RotationPeriodInDays:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html). A
 * GetKeyRotationStatus answer without RotationPeriodInDays (the model marks it optional) is read as it.
 */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/** RotationPeriodInDays AWS accepts: 90..2560 days (same page). */
export const ROTATION_PERIOD_DAYS = { min: 90, max: 2560 } as const;

/** The period a key rotates with: as answered, or AWS's default when the answer leaves it out. */
export function effectivePeriodDays(periodDays: number | null): number {
  return periodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
}

/** Rotation on, at least every `maxRotationDays`: the rule's PASS, and what remediation checks before and after a change. */
export function isCompliant(rotation: { enabled: boolean; periodDays: number | null }, maxRotationDays: number): boolean {
  return rotation.enabled && effectivePeriodDays(rotation.periodDays) <= maxRotationDays;
}
