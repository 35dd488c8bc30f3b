/**
 * Applies the register to one judged key. Only FAIL keys change: PASS, NOT_APPLICABLE and ERROR
 * are never touched (an exception must not hide a key that could not be checked), and a key that
 * already carries EXCEPTION is left as it is.
 */
import { Status, type KeyResult } from '../core/results.js';
import { isExpired } from './dates.js';
import type { ExceptionEntry, ExceptionRegister } from './types.js';
import { recordCovered, recordTagsUndecided, type ExceptionUsage } from './usage.js';

export type ScopeMatch = 'match' | 'no-match' | 'tags-unknown';

/** Whether the engine must collect tags (ListResourceTags) for failing keys: only when an entry scopes by tag. */
export function registerNeedsTags(register: ExceptionRegister): boolean {
  return register.entries.some((entry) => entry.scope.tags !== undefined && Object.keys(entry.scope.tags).length > 0);
}

/**
 * Every kind given in the scope must match. A tag condition on a key whose tags were not
 * collected (`tags: null`) cannot be decided: 'tags-unknown', treated as not matching.
 */
export function scopeMatches(entry: ExceptionEntry, key: KeyResult): ScopeMatch {
  const { accounts, ous, keys, aliases, tags } = entry.scope;
  if (accounts && !accounts.includes(key.accountId)) return 'no-match';
  if (ous && !key.ouIds.some((ouId) => ous.includes(ouId))) return 'no-match';
  if (keys && !keys.includes(key.keyArn)) return 'no-match';
  if (aliases && !key.aliases.some((alias) => aliases.some((pattern) => aliasGlob(pattern).test(alias)))) return 'no-match';
  if (tags) {
    if (key.tags === null) return 'tags-unknown';
    const keyTags = key.tags;
    if (!Object.entries(tags).every(([name, value]) => Object.hasOwn(keyTags, name) && keyTags[name] === value)) return 'no-match';
  }
  return 'match';
}

/**
 * The key with the register applied (a new object; the input is not changed). The first valid
 * matching entry, in file order, gives the exception id; every matching entry is recorded in
 * `usage` when given.
 */
export function applyExceptions(key: KeyResult, register: ExceptionRegister, now: Date, usage?: ExceptionUsage): KeyResult {
  if (key.status !== Status.Fail || register.entries.length === 0) return key;
  let applied: ExceptionEntry | null = null;
  const expired: ExceptionEntry[] = [];
  const undecided: ExceptionEntry[] = [];
  for (const entry of register.entries) {
    const match = scopeMatches(entry, key);
    if (match === 'tags-unknown') {
      undecided.push(entry);
      if (usage) recordTagsUndecided(usage, entry.id);
      continue;
    }
    if (match === 'no-match') continue;
    if (usage) recordCovered(usage, entry.id, key);
    if (isExpired(entry, now)) expired.push(entry);
    else applied ??= entry;
  }
  if (applied) {
    return { ...key, status: Status.Exception, exceptionId: applied.id, reason: exceptionReason(applied, key.reason) };
  }
  if (expired.length === 0 && undecided.length === 0) return key;
  return { ...key, reason: [key.reason, ...expired.map(expiredNote), ...undecided.map(undecidedNote)].join(' ') };
}

function exceptionReason(entry: ExceptionEntry, original: string): string {
  return `Approved exception ${entry.id} (approver ${entry.approver}, ticket ${entry.ticket}, expires ${entry.expires}): ${sentence(entry.reason)} Finding without the exception: ${original}`;
}

function expiredNote(entry: ExceptionEntry): string {
  return `Exception ${entry.id} (approver ${entry.approver}, ticket ${entry.ticket}) expired on ${entry.expires} and no longer applies.`;
}

function undecidedNote(entry: ExceptionEntry): string {
  return `Exception ${entry.id} could not be checked: its scope names tags, and this key's tags were not collected.`;
}

/** One line, ending with a full stop (register reasons may be multi-line YAML blocks). */
function sentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return /[.!?]$/.test(flat) ? flat : `${flat}.`;
}

const globCache = new Map<string, RegExp>();

/** `alias/legacy-*` → /^alias\/legacy-.*$/ : `*` matches any run of characters, `/` included. */
export function aliasGlob(pattern: string): RegExp {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${body}$`);
    globCache.set(pattern, regex);
  }
  return regex;
}
