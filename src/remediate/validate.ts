/**
 * The results document is untrusted input (it may have been edited, or come from another tool):
 * every value that ends up in a shell script or an AWS call is checked against a strict pattern
 * first, and anything else is refused rather than escaped.
 */
import { UsageError } from '../core/errors.js';
import { ROTATION_PERIOD_DAYS } from '../rules/kms-002/period.js';

// The patterns are the tool's own (src/core/names.ts); ACCOUNT_ID and ROLE_NAME keep their names for src/cli/remediate.ts.

/** Throws a UsageError naming where the value came from unless it matches. */
export function checked(value: unknown, pattern: RegExp, what: string, where: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new UsageError(`${where}: ${what} ${JSON.stringify(value)} is not valid (expected ${pattern.source}); refusing to write it into a plan`);
  }
  return value;
}

/** A rotation period AWS accepts (src/rules/kms-002/period.ts: 90..2560 days). */
export function checkedPeriod(value: unknown, what: string, where: string): number {
  const { min, max } = ROTATION_PERIOD_DAYS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${where}: ${what} ${JSON.stringify(value)} is not a rotation period AWS accepts (a whole number of days, ${min}..${max})`);
  }
  return value;
}

/** A single printable line for a script comment (account names and such are AWS text, untrusted). */
export function commentText(value: string | null | undefined, max = 120): string {
  if (!value) return '';
  return value.replace(/[^\x20-\x7E]/g, '?').slice(0, max);
}
