/** The fix for a failing key, as the exact AWS CLI command, and a hint for keys that could not be checked. */
import type { KeyResult } from '../../core/results.js';
import { shellQuote } from '../../core/text.js';

/** AWS KMS EnableKeyRotation: RotationPeriodInDays defaults to 365 and accepts 90..2560 (KMS API reference). */
export const AWS_DEFAULT_ROTATION_PERIOD_DAYS = 365;
const MIN_PERIOD = 90;
const MAX_PERIOD = 2560;

/**
 * `aws kms enable-key-rotation --region R --key-id K [--rotation-period-in-days N]` for a FAIL, else null.
 * The period flag is added when the key's period (or the 365-day default EnableKeyRotation applies) is longer
 * than the policy's maximum. Never for multi-Region replicas: rotation is configured on the primary
 * (and replicas are NOT_APPLICABLE anyway).
 */
export function remediationCommand(key: RemediableKey, maxRotationDays: number): string | null {
  return remediationParts(key, maxRotationDays)?.join(' ') ?? null;
}

type RemediableKey = Pick<KeyResult, 'status' | 'region' | 'keyId' | 'rotationPeriodDays' | 'multiRegionType'>;

/** The command in groups (the command, then one option with its value per group), for line-wrapped display. */
export function remediationParts(key: RemediableKey, maxRotationDays: number): string[] | null {
  if (key.status !== 'FAIL') return null;
  const parts = ['aws kms enable-key-rotation', `--region ${shellQuote(key.region)}`, `--key-id ${shellQuote(key.keyId)}`];
  if (key.multiRegionType !== 'REPLICA') {
    const current = key.rotationPeriodDays ?? AWS_DEFAULT_ROTATION_PERIOD_DAYS;
    if (current > maxRotationDays || AWS_DEFAULT_ROTATION_PERIOD_DAYS > maxRotationDays) {
      parts.push(`--rotation-period-in-days ${Math.min(MAX_PERIOD, Math.max(MIN_PERIOD, Math.floor(maxRotationDays)))}`);
    }
  }
  return parts;
}

/** What to do about an ERROR key (PDF only; the CSV remediation column is for FAIL keys). */
export function errorHint(key: Pick<KeyResult, 'error'>): string {
  const code = key.error?.code ?? 'unknown error';
  const op = key.error?.operation ?? 'the failed call';
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(code)) return `Allow ${op} for the read role in this account (and check key policies and SCPs), then scan again.`;
  if (/Throttl|TooManyRequests|RequestLimitExceeded|LimitExceeded/i.test(code)) return `Throttled (${code}): scan again, or lower the concurrency.`;
  return `Could not check (${code}): scan again; if it persists, investigate ${op}.`;
}
