/**
 * The fix for a failing key: the period to ask for and the exact AWS CLI command (findings.csv, the
 * PDF, OCSF and ASFF, the remediation plan and scripts), and a hint for keys that could not be checked.
 */
import type { KeyResult } from '../../core/results.js';
import { shellQuote } from '../../core/text.js';
import { DEFAULT_ROTATION_PERIOD_DAYS, ROTATION_PERIOD_DAYS, effectivePeriodDays } from './period.js';

/**
 * RotationPeriodInDays to send with EnableKeyRotation, or null to leave it out (AWS's default): the
 * policy's maximum whenever the key's period (or the default EnableKeyRotation applies) is longer.
 */
export function rotationPeriodArg(currentPeriodDays: number | null, maxRotationDays: number): number | null {
  if (effectivePeriodDays(currentPeriodDays) > maxRotationDays || DEFAULT_ROTATION_PERIOD_DAYS > maxRotationDays) {
    return Math.min(ROTATION_PERIOD_DAYS.max, Math.max(ROTATION_PERIOD_DAYS.min, Math.floor(maxRotationDays)));
  }
  return null;
}

/** The period a key has once EnableKeyRotation ran with `periodArg`. */
export function targetPeriodDays(periodArg: number | null): number {
  return periodArg ?? DEFAULT_ROTATION_PERIOD_DAYS;
}

/** What the fix command needs: where the key is, and the period to ask for (null: AWS's default). */
export interface RotationFix {
  region: string;
  keyId: string;
  periodArg: number | null;
}

/** `aws kms enable-key-rotation --region R --key-id K [--rotation-period-in-days N]`, in groups (the command, then one option with its value per group). */
function commandParts(fix: RotationFix): string[] {
  const parts = ['aws kms enable-key-rotation', `--region ${shellQuote(fix.region)}`, `--key-id ${shellQuote(fix.keyId)}`];
  if (fix.periodArg !== null) parts.push(`--rotation-period-in-days ${fix.periodArg}`);
  return parts;
}

/** The exact CLI command for a fix, as findings.csv's remediation column and the remediation plan write it. */
export function enableRotationCommand(fix: RotationFix): string {
  return commandParts(fix).join(' ');
}

type RemediableKey = Pick<KeyResult, 'status' | 'region' | 'keyId' | 'rotationPeriodDays' | 'multiRegionType'>;

/**
 * The command for a FAIL, else null. Never a period for a multi-Region replica: rotation is
 * configured on the primary (and replicas are NOT_APPLICABLE anyway).
 */
export function remediationCommand(key: RemediableKey, maxRotationDays: number): string | null {
  return remediationParts(key, maxRotationDays)?.join(' ') ?? null;
}

/** remediationCommand in groups, for line-wrapped display. */
export function remediationParts(key: RemediableKey, maxRotationDays: number): string[] | null {
  if (key.status !== 'FAIL') return null;
  const periodArg = key.multiRegionType === 'REPLICA' ? null : rotationPeriodArg(key.rotationPeriodDays ?? null, maxRotationDays);
  return commandParts({ region: key.region, keyId: key.keyId, periodArg });
}

/** What to do about an ERROR key (PDF only; the CSV remediation column is for FAIL keys). */
export function errorHint(key: Pick<KeyResult, 'error'>): string {
  const code = key.error?.code ?? 'unknown error';
  const op = key.error?.operation ?? 'the failed call';
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(code)) return `Allow ${op} for the read role in this account (and check key policies and SCPs), then scan again.`;
  if (/Throttl|TooManyRequests|RequestLimitExceeded|LimitExceeded/i.test(code)) return `Throttled (${code}): scan again, or lower the concurrency.`;
  return `Could not check (${code}): scan again; if it persists, investigate ${op}.`;
}
