/**
 * What each register entry did during one scan: the FAIL keys it matched (turned into EXCEPTION
 * when the entry is valid; left FAIL, with the expiry named, when it is expired), and the keys it
 * could not decide because their tags were not collected. Entries that matched no key are unused.
 */
import type { KeyResult } from '../core/results.js';
import type { ExceptionEntry, ExceptionRegister } from './types.js';

/** The ARNs kept per entry for the report; the count beyond it is kept as a number. */
export const DEFAULT_MAX_KEYS_PER_ENTRY = 1000;

export type CoveredKey = Pick<KeyResult, 'accountId' | 'region' | 'keyId' | 'keyArn' | 'aliases'>;

export interface EntryUsage {
  id: string;
  /** FAIL keys the entry matched (for an expired entry: the keys that would still be covered). */
  keysCovered: number;
  /** The first `maxKeysPerEntry` of them, in the order they were seen. */
  keys: CoveredKey[];
  /** keysCovered − keys.length. */
  keysOmitted: number;
  /** FAIL keys every other kind of the scope matched, but whose tags were not collected (undecided). */
  tagsUndecided: number;
}

export interface ExceptionUsage {
  readonly maxKeysPerEntry: number;
  readonly entries: Map<string, EntryUsage>;
}

export function createExceptionUsage(register: ExceptionRegister, opts: { maxKeysPerEntry?: number } = {}): ExceptionUsage {
  const entries = new Map<string, EntryUsage>();
  for (const entry of register.entries) entries.set(entry.id, { id: entry.id, keysCovered: 0, keys: [], keysOmitted: 0, tagsUndecided: 0 });
  return { maxKeysPerEntry: opts.maxKeysPerEntry ?? DEFAULT_MAX_KEYS_PER_ENTRY, entries };
}

export function recordCovered(usage: ExceptionUsage, entryId: string, key: KeyResult): void {
  const entry = usageOf(usage, entryId);
  entry.keysCovered++;
  if (entry.keys.length < usage.maxKeysPerEntry) {
    entry.keys.push({ accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.keyArn, aliases: [...key.aliases] });
  } else {
    entry.keysOmitted++;
  }
}

export function recordTagsUndecided(usage: ExceptionUsage, entryId: string): void {
  usageOf(usage, entryId).tagsUndecided++;
}

/** Entries that matched no FAIL key in this scan (candidates for removal from the register). */
export function unusedEntries(register: ExceptionRegister, usage: ExceptionUsage): ExceptionEntry[] {
  return register.entries.filter((entry) => (usage.entries.get(entry.id)?.keysCovered ?? 0) === 0);
}

function usageOf(usage: ExceptionUsage, entryId: string): EntryUsage {
  let entry = usage.entries.get(entryId);
  if (!entry) {
    entry = { id: entryId, keysCovered: 0, keys: [], keysOmitted: 0, tagsUndecided: 0 };
    usage.entries.set(entryId, entry);
  }
  return entry;
}
