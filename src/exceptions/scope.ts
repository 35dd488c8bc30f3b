/**
 * How an entry's scope reads in the reports, and whether it is a wildcard: a scope that does not
 * name its keys (no `keys:` kind) covers every key that matches it, including keys created, moved,
 * re-aliased or re-tagged after the exception was approved. The reports flag such entries with the
 * keys they cover now, so an approver sees what the entry already reaches.
 */
import type { ExceptionScope } from './types.js';

/**
 * What a wildcard scope reaches, as one phrase ("any key in 1 account with an alias matching
 * alias/legacy-*"); null when the scope names its keys. Every kind given must match, so the phrase
 * joins them: naming the keys pins the entry to them, whatever else it says.
 */
export function wildcardReach(scope: ExceptionScope): string | null {
  if (scope.keys?.length) return null;
  const count = (n: number, one: string, many: string): string => (n === 1 ? `1 ${one}` : `${n} ${many}`);
  const parts: string[] = [];
  if (scope.accounts?.length) parts.push(`in ${count(scope.accounts.length, 'account', 'accounts')}`);
  if (scope.ous?.length) parts.push(`in any account below ${count(scope.ous.length, 'OU', 'OUs')}`);
  // An alias name is a wildcard too: it can be moved to another key (UpdateAlias) or given to a new one.
  if (scope.aliases?.length) parts.push(`with an alias matching ${scope.aliases.join(' or ')}`);
  if (scope.tags && Object.keys(scope.tags).length) parts.push(`tagged ${Object.entries(scope.tags).map(([k, v]) => `${k}=${v}`).join(' and ')}`);
  return ['any key', ...parts].join(' ');
}

export function isWildcardScope(scope: ExceptionScope): boolean {
  return wildcardReach(scope) !== null;
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
