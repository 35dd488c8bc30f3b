/**
 * The merged results header: the parts' coverage concatenated (each account is in exactly one
 * part), counts and API calls summed, the run's span from the first start to the last finish, and
 * the extensions each stage wrote combined the way that stage means them.
 */
import { dataSourceOf } from '../../aws/endpoints.js';
import { DEFAULT_MAX_KEYS_PER_ENTRY, EXCEPTIONS_EXTENSION, type ExceptionsSummary } from '../../exceptions/index.js';
import { emptyStatusCounts, type AccountCoverage, type RegionCoverage, type ResultsHeader } from '../../core/results.js';
import { SCAN_EXTENSION, type ScanEngineExtension } from '../../core/results.js';
import type { ShardSpec } from '../../core/shard.js';

export interface Part {
  /** Where it came from (a path, or s3://bucket/key), for messages. */
  source: string;
  /** The local file. */
  path: string;
  header: ResultsHeader;
  shard: ShardSpec;
}

export class MergeConflict extends Error {}

export function mergeHeaders(parts: Part[]): ResultsHeader {
  const first = parts[0]!.header;
  const headers = parts.map((part) => part.header);
  const byStatus = emptyStatusCounts();
  for (const header of headers) for (const status of Object.keys(byStatus) as (keyof typeof byStatus)[]) byStatus[status] += header.summary.byStatus[status] ?? 0;
  const accounts: AccountCoverage[] = headers.flatMap((h) => h.coverage.accounts).sort((a, b) => cmp(a.accountId, b.accountId));
  const regions: RegionCoverage[] = headers.flatMap((h) => h.coverage.regions).sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.region, b.region));
  return {
    ...first,
    startedAt: headers.map((h) => h.startedAt).sort()[0]!,
    finishedAt: headers.map((h) => h.finishedAt).sort().at(-1)!,
    // All N parts are here: the run is whole again.
    complete: true,
    parameters: { ...first.parameters, shard: null },
    coverage: { accounts, regions },
    summary: {
      keys: sum(headers.map((h) => h.summary.keys)),
      byStatus,
      accountsInScope: sum(headers.map((h) => h.summary.accountsInScope)),
      accountRegionPairs: sum(headers.map((h) => h.summary.accountRegionPairs)),
    },
    apiCalls: sumRecords(headers.map((h) => h.apiCalls)),
    // Every part's endpoints; a part that recorded none (an older version) adds none.
    ...(headers.some((h) => h.dataSource) ? { dataSource: dataSourceOf(headers.flatMap((h) => h.dataSource?.endpoints ?? [])) } : {}),
    extensions: {
      ...mergeExtensions(parts),
      shards: {
        count: parts[0]!.shard.count,
        parts: parts.map((part) => ({ index: part.shard.index, startedAt: part.header.startedAt, finishedAt: part.header.finishedAt, keys: part.header.summary.keys, accounts: part.header.coverage.accounts.length })),
      },
    },
  };
}


function mergeExtensions(parts: Part[]): Record<string, unknown> {
  const names = [...new Set(parts.flatMap((part) => Object.keys(part.header.extensions)))].sort();
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const values = parts.map((part) => part.header.extensions[name]);
    if (name === SCAN_EXTENSION) out[name] = mergeScan(values as (ScanEngineExtension | undefined)[]);
    else if (name === EXCEPTIONS_EXTENSION) out[name] = mergeExceptions(parts, values as (ExceptionsSummary | undefined)[]);
    else if (name === 'resume') out[name] = mergeResume(values as ({ attempts: number; accountsFromCheckpoint: number } | undefined)[]);
    else if (name === 'shards') continue; // a merged document given again as a part is refused earlier
    else {
      const text = JSON.stringify(values[0]);
      if (values.some((value) => JSON.stringify(value) !== text)) throw new MergeConflict(`the parts disagree on the "${name}" section of their headers (${describeParts(parts)})`);
      out[name] = values[0];
    }
  }
  return out;
}

function mergeScan(values: (ScanEngineExtension | undefined)[]): ScanEngineExtension {
  const present = values.filter((v): v is ScanEngineExtension => v !== undefined);
  const calls = present.map((v) => v.meanRoundTripMs);
  return {
    coverageComplete: values.every((v) => v?.coverageComplete === true),
    gaps: sumRecords(present.map((v) => v.gaps)) as ScanEngineExtension['gaps'],
    retries: sum(present.map((v) => v.retries)),
    retriesByClass: sumRecords(present.map((v) => v.retriesByClass)),
    retriesExhausted: sum(present.map((v) => v.retriesExhausted)),
    maxInFlight: Math.max(0, ...present.map((v) => v.maxInFlight)),
    // Shards run side by side: their requests in flight add up.
    meanInFlight: Math.round(sum(present.map((v) => v.meanInFlight)) * 10) / 10,
    meanRoundTripMs: calls.length ? Math.round((sum(calls) / calls.length) * 10) / 10 : 0,
    keyCalls: sumRecords(present.map((v) => v.keyCalls)) as ScanEngineExtension['keyCalls'],
  };
}

function mergeResume(values: ({ attempts: number; accountsFromCheckpoint: number } | undefined)[]): unknown {
  const present = values.filter((v) => v !== undefined);
  return { attempts: Math.max(...present.map((v) => v.attempts)), accountsFromCheckpoint: sum(present.map((v) => v.accountsFromCheckpoint)), partsResumed: present.length };
}

/**
 * Every shard applied the same register: the entries must agree; what each entry covered adds up
 * (an entry is unused only if no shard used it). The states are those of the latest evaluation.
 */
function mergeExceptions(parts: Part[], values: (ExceptionsSummary | undefined)[]): ExceptionsSummary {
  if (values.some((v) => v === undefined)) throw new MergeConflict(`only some parts applied an exceptions register (${describeParts(parts)}); scan every shard with the same --exceptions`);
  const summaries = values as ExceptionsSummary[];
  const identity = (s: ExceptionsSummary): string => JSON.stringify(s.entries.map((e) => [e.id, e.scope, e.reason, e.approver, e.ticket, e.created, e.expires, e.approved ?? null, e.riskOwner ?? null, e.compensatingControl ?? null]));
  if (summaries.some((s) => identity(s) !== identity(summaries[0]!))) throw new MergeConflict(`the parts applied different exceptions registers (${describeParts(parts)}); scan every shard with the same --exceptions`);
  const latest = [...summaries].sort((a, b) => cmp(a.evaluatedAt, b.evaluatedAt)).at(-1)!;
  const entries = latest.entries.map((entry, i) => {
    const all = summaries.map((s) => s.entries[i]!);
    const keysCovered = sum(all.map((e) => e.keysCovered));
    const keyArns = all.flatMap((e) => e.keyArns).sort().slice(0, DEFAULT_MAX_KEYS_PER_ENTRY);
    return { ...entry, unused: keysCovered === 0, keysCovered, keyArns, keyArnsOmitted: keysCovered - keyArns.length, tagsUndecided: sum(all.map((e) => e.tagsUndecided)) };
  });
  const count = (state: string): number => entries.filter((e) => e.state === state).length;
  return {
    ...latest,
    counts: {
      entries: entries.length,
      active: count('active'),
      expiringSoon: count('expiring-soon'),
      expired: count('expired'),
      unused: entries.filter((e) => e.unused).length,
      keysCovered: sum(entries.map((e) => (e.state === 'expired' ? 0 : e.keysCovered))),
    },
    entries,
  };
}

export function describeParts(parts: Part[]): string {
  return parts.map((part) => part.source).join(', ');
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

function sumRecords(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record ?? {})) out[key] = (out[key] ?? 0) + n;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => cmp(a, b)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
