/**
 * How an entry's scope reads in the reports, and whether it is a wildcard: a scope that does not
 * name its keys (no `keys:` kind) covers every key that matches it, including keys created, moved,
 * re-aliased or re-tagged after the exception was approved. The reports flag such entries with the
 * keys they cover now, so an approver sees what the entry already reaches.
 */
import type { ExceptionScope } from './types.js';

/** Why a scope reaches keys nobody listed, one phrase per kind that does; empty when the scope names its keys. */
export function wildcardReasons(scope: ExceptionScope): string[] {
  // Every kind given must match: naming the keys pins the entry to them, whatever else it says.
  if (scope.keys?.length) return [];
  const reasons: string[] = [];
  if (scope.accounts?.length) reasons.push(`account-wide (${scope.accounts.length === 1 ? 'any key in 1 account' : `any key in ${scope.accounts.length} accounts`})`);
  if (scope.ous?.length) reasons.push(`OU-wide (any key in any account below ${scope.ous.length === 1 ? '1 OU' : `${scope.ous.length} OUs`})`);
  const patterns = scope.aliases?.filter((alias) => alias.includes('*')) ?? [];
  const names = (scope.aliases?.length ?? 0) - patterns.length;
  if (patterns.length) reasons.push(`alias pattern${patterns.length === 1 ? '' : 's'} ${patterns.join(', ')}`);
  if (names > 0) reasons.push(`alias name${names === 1 ? '' : 's'} (whichever key ${names === 1 ? 'it points' : 'they point'} to)`);
  if (scope.tags && Object.keys(scope.tags).length) reasons.push('tag scope (any key carrying the tags)');
  return reasons;
}

export function isWildcardScope(scope: ExceptionScope): boolean {
  return wildcardReasons(scope).length > 0;
}

/**
 * `accounts: 111122223333; aliases: alias/legacy-*, alias/old; tags: owner=vendor-x`, with the
 * register's own field names. With `maxPerKind`, a long list ends "and N more" (the PDF); without,
 * every value is written (exceptions.csv).
 */
export function scopeText(scope: ExceptionScope, maxPerKind = Infinity, separator = '; '): string {
  const list = (values: readonly string[]): string => (values.length <= maxPerKind ? values.join(', ') : `${values.slice(0, maxPerKind).join(', ')} and ${values.length - maxPerKind} more`);
  const parts: string[] = [];
  if (scope.accounts?.length) parts.push(`accounts: ${list(scope.accounts)}`);
  if (scope.ous?.length) parts.push(`ous: ${list(scope.ous)}`);
  if (scope.keys?.length) parts.push(`keys: ${list(scope.keys)}`);
  if (scope.aliases?.length) parts.push(`aliases: ${list(scope.aliases)}`);
  if (scope.tags && Object.keys(scope.tags).length) parts.push(`tags: ${list(Object.entries(scope.tags).map(([k, v]) => `${k}=${v}`))}`);
  return parts.length ? parts.join(separator) : 'every key (no scope given)';
}
