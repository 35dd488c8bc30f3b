/**
 * What changed between two runs, key by key. Both results documents are in the stable order
 * (account, region, key id), so one merge-join pass over two streams does it in bounded memory.
 */
import { openResults, type ResultsReader } from '../io/results-document.js';
import { compareKeys, type KeyResult, type ResultsHeader, type Status } from '../core/results.js';

export type ChangeKind = 'newly_failing' | 'fixed' | 'new' | 'gone' | 'not_assessed' | 'status_changed';
export const CHANGE_KINDS: readonly ChangeKind[] = ['newly_failing', 'fixed', 'new', 'gone', 'not_assessed', 'status_changed'];

export interface KeyChange {
  kind: ChangeKind;
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
  aliases: string[];
  previousStatus: Status | null;
  currentStatus: Status | null;
  previousReason: string | null;
  currentReason: string | null;
}

export interface ChangeSummary {
  previousScanId: string;
  previousFinishedAt: string;
  counts: Record<ChangeKind, number>;
}

/**
 * Classifies one key present in either run. A key missing now from an account or region that
 * this run could not assess is `not_assessed`, not `gone`: absence of evidence is not deletion.
 */
function classify(previous: KeyResult | null, current: KeyResult | null, assessed: (accountId: string, region: string) => boolean): ChangeKind | null {
  if (!previous) return 'new';
  if (!current) return assessed(previous.accountId, previous.region) ? 'gone' : 'not_assessed';
  if (previous.status === current.status) return null;
  if (current.status === 'FAIL') return 'newly_failing';
  if (previous.status === 'FAIL' && current.status === 'PASS') return 'fixed';
  return 'status_changed';
}

function toChange(kind: ChangeKind, previous: KeyResult | null, current: KeyResult | null): KeyChange {
  const key = (current ?? previous)!;
  return {
    kind,
    accountId: key.accountId,
    region: key.region,
    keyId: key.keyId,
    keyArn: key.keyArn,
    aliases: key.aliases,
    previousStatus: previous?.status ?? null,
    currentStatus: current?.status ?? null,
    previousReason: previous?.reason ?? null,
    currentReason: current?.reason ?? null,
  };
}

function assessedRegions(header: ResultsHeader): (accountId: string, region: string) => boolean {
  const scanned = new Set(header.coverage.regions.filter((r) => r.status === 'scanned' || r.status === 'not_enabled').map((r) => `${r.accountId}|${r.region}`));
  return (accountId, region) => scanned.has(`${accountId}|${region}`);
}

/** Streams the changes between two runs, in the stable key order. */
export async function* diffRuns(previous: ResultsReader, current: ResultsReader): AsyncGenerator<KeyChange> {
  const assessed = assessedRegions(current.header);
  const prevIt = previous.keys()[Symbol.asyncIterator]();
  const currIt = current.keys()[Symbol.asyncIterator]();
  let prev = await prevIt.next();
  let curr = await currIt.next();
  while (!prev.done || !curr.done) {
    const order = prev.done ? 1 : curr.done ? -1 : compareKeys(prev.value, curr.value);
    const before = order <= 0 ? (prev.value as KeyResult) : null;
    const after = order >= 0 ? (curr.value as KeyResult) : null;
    const kind = classify(before, after, assessed);
    if (kind) yield toChange(kind, before, after);
    if (order <= 0) prev = await prevIt.next();
    if (order >= 0) curr = await currIt.next();
  }
}

export async function summarizeChanges(previousPath: string, currentPath: string, onChange?: (change: KeyChange) => void | Promise<void>): Promise<ChangeSummary> {
  const previous = await openResults(previousPath);
  const current = await openResults(currentPath);
  const counts = Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  for await (const change of diffRuns(previous, current)) {
    counts[change.kind]++;
    await onChange?.(change);
  }
  return { previousScanId: previous.header.scanId, previousFinishedAt: previous.header.finishedAt, counts };
}
