/**
 * The results document is untrusted input (it may have been edited, or come from another tool):
 * every value that ends up in a shell script or an AWS call is checked against a strict pattern
 * first, and anything else is refused rather than escaped.
 */
import { UsageError } from '../core/errors.js';

// The patterns are the tool's own (src/core/names.ts); ACCOUNT_ID and ROLE_NAME keep their names for src/cli/remediate.ts.
export { ACCOUNT_ID_PATTERN as ACCOUNT_ID, ROLE_NAME_PATTERN as ROLE_NAME } from '../core/names.js';

/** Throws a UsageError naming where the value came from unless it matches. */
export function checked(value: unknown, pattern: RegExp, what: string, where: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new UsageError(`${where}: ${what} ${JSON.stringify(value)} is not valid (expected ${pattern.source}); refusing to write it into a plan`);
  }
  return value;
}

/** AWS accepts rotation periods of 90..2560 days (KMS EnableKeyRotation, RotationPeriodInDays). */
export function checkedPeriod(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 90 || value > 2560) {
    throw new UsageError(`${where}: ${what} ${JSON.stringify(value)} is not a rotation period AWS accepts (a whole number of days, 90..2560)`);
  }
  return value;
}

/** A single printable line for a script comment (account names and such are AWS text, untrusted). */
export function commentText(value: string | null | undefined, max = 120): string {
  if (!value) return '';
  return value.replace(/[^\x20-\x7E]/g, '?').slice(0, max);
}
