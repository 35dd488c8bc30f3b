/**
 * The register as the reports show it: a JSON summary stored in the results header under
 * `header.extensions.exceptions` (so reporters never need the YAML file), and exceptions.csv.
 */
import { basename } from 'node:path';
import { compareKeys, Status, type KeyResult } from '../core/results.js';
import { CsvFileWriter, teeRows, type RowWriter } from '../io/csv.js';
import { EXPIRING_SOON_DAYS, entryState } from './dates.js';
import { scopeMatches } from './match.js';
import { isWildcardScope, scopeText } from './scope.js';
import type { ExceptionsSummary, ExceptionSummaryEntry } from './summary.js';
import type { ExceptionEntry, ExceptionRegister, ExceptionState } from './types.js';
import type { CoveredKey, ExceptionUsage } from './usage.js';

export function exceptionsSummary(register: ExceptionRegister, usage: ExceptionUsage, now: Date): ExceptionsSummary {
  const entries = register.entries.map((entry): ExceptionSummaryEntry => {
    const used = usage.entries.get(entry.id);
    const keysCovered = used?.keysCovered ?? 0;
    return {
      id: entry.id,
      scope: entry.scope,
      reason: entry.reason,
      approver: entry.approver,
      ticket: entry.ticket,
      created: entry.created,
      expires: entry.expires,
      approved: entry.approved ?? null,
      riskOwner: entry.riskOwner ?? null,
      compensatingControl: entry.compensatingControl ?? null,
      state: entryState(entry, now),
      unused: keysCovered === 0,
      keysCovered,
      keyArns: (used?.keys ?? []).map((key) => key.keyArn),
      keyArnsOmitted: used?.keysOmitted ?? 0,
      tagsUndecided: used?.tagsUndecided ?? 0,
    };
  });
  const count = (state: ExceptionState): number => entries.filter((entry) => entry.state === state).length;
  return {
    // Never the path: it names a folder of the machine that ran the scan (often a temporary one).
    source: register.file?.name ?? basename(register.source),
    file: register.file ?? null,
    maxDays: register.maxDays,
    expiringSoonDays: EXPIRING_SOON_DAYS,
    evaluatedAt: now.toISOString(),
    counts: {
      entries: entries.length,
      active: count('active'),
      expiringSoon: count('expiring-soon'),
      expired: count('expired'),
      unused: entries.filter((entry) => entry.unused).length,
      keysCovered: entries.reduce((sum, entry) => sum + (entry.state === 'expired' ? 0 : entry.keysCovered), 0),
    },
    entries,
  };
}

export const EXCEPTIONS_COLUMNS = [
  'exception_id', 'state', 'unused', 'approver', 'ticket', 'created', 'expires', 'reason', 'account_id', 'region', 'key_id', 'key_arn', 'aliases',
  // Issue 11, appended so existing column positions stay: the scope, whether it is a wildcard, and the optional entry fields.
  'scope', 'wildcard_scope', 'approved', 'risk_owner', 'compensating_control',
] as const;

/**
 * exceptions.csv: one row per entry and covered key, one row with empty key columns for an
 * entry that covers none. With `keys` (the results' keys) every covered key is listed, with its
 * aliases, by matching each entry's scope again against the FAIL and EXCEPTION keys; without it,
 * the rows come from the summary's capped ARN lists. `sheet` (findings.xlsx) gets the same rows.
 */
export async function writeExceptionsCsv(path: string, summary: ExceptionsSummary, keys?: Iterable<KeyResult> | AsyncIterable<KeyResult>, sheet?: RowWriter | null): Promise<void> {
  const covered = keys ? await coveredFromKeys(summary, keys) : coveredFromArns(summary);
  const writer = teeRows(CsvFileWriter.open(path, EXCEPTIONS_COLUMNS), sheet);
  try {
    for (const entry of summary.entries) {
      const entryKeys = covered.get(entry.id) ?? [];
      const head = [entry.id, entry.state, entry.unused, entry.approver, entry.ticket, entry.created, entry.expires, entry.reason];
      const tail = [scopeText(entry.scope), isWildcardScope(entry.scope), entry.approved ?? null, entry.riskOwner ?? null, entry.compensatingControl ?? null];
      if (entryKeys.length === 0) await writer.write([...head, null, null, null, null, null, ...tail]);
      for (const key of entryKeys) {
        await writer.write([...head, key.accountId, key.region, key.keyId, key.keyArn, key.aliases.length ? key.aliases.join('; ') : null, ...tail]);
      }
    }
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

async function coveredFromKeys(summary: ExceptionsSummary, keys: Iterable<KeyResult> | AsyncIterable<KeyResult>): Promise<Map<string, CoveredKey[]>> {
  const covered = new Map<string, CoveredKey[]>(summary.entries.map((entry) => [entry.id, []]));
  const asEntries = summary.entries.map((entry) => ({ ...entry, line: null }) as ExceptionEntry);
  for await (const key of keys) {
    // An EXCEPTION key was a FAIL when the register was applied; PASS, N/A and ERROR keys never match.
    if (key.status !== Status.Fail && key.status !== Status.Exception) continue;
    for (const entry of asEntries) {
      if (scopeMatches(entry, key) === 'match') {
        covered.get(entry.id)!.push({ accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.keyArn, aliases: [...key.aliases] });
      }
    }
  }
  for (const list of covered.values()) list.sort(compareKeys);
  return covered;
}

/** arn:<partition>:kms:<region>:<account>:key/<id> → its parts (the summary keeps ARNs only). */
function coveredFromArns(summary: ExceptionsSummary): Map<string, CoveredKey[]> {
  return new Map(
    summary.entries.map((entry) => [
      entry.id,
      entry.keyArns
        .map((keyArn): CoveredKey => {
          const [, , , region = '', accountId = '', resource = ''] = keyArn.split(':');
          return { accountId, region, keyId: resource.replace(/^key\//, ''), keyArn, aliases: [] };
        })
        .sort(compareKeys),
    ]),
  );
}
