/**
 * AWS KMS's rotation period, as its API defines it (KMS API reference, EnableKeyRotation,
 * RotationPeriodInDays: https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html).
 * Here, below every layer, so that the option table (src/config/schema.ts) and the rule
 * (src/rules/kms-002/period.ts) share one declaration.
 */

/**
 * The rotation period AWS applies when none is given: EnableKeyRotation without RotationPeriodInDays
 * sets 365 days. A GetKeyRotationStatus answer without RotationPeriodInDays (the model marks it
 * optional) is read as it.
 */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/** RotationPeriodInDays AWS accepts: 90..2560 days. */
export const ROTATION_PERIOD_DAYS = { min: 90, max: 2560 } as const;
