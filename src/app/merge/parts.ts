/**
 * Merging the parts of a sharded run into one results document: the parts must be exactly the
 * N shards of one scan (refused otherwise, naming what is wrong), then their headers are combined
 * and their key streams k-way merged in report order, so memory is bounded by the number of parts.
 */
import { UsageError } from '../../core/errors.js';
import { openResults, writeResultsDocument, type ResultsReader } from '../../io/results-document.js';
import { compareKeys, SCOPE_PARAMETERS, type KeyResult, type ResultsHeader } from '../../core/results.js';
import { mergeSorted, MergeOrderError } from './kway.js';
import { describeParts, MergeConflict, mergeHeaders, type Part } from './header.js';

/** Header fields that decide what was scanned and how: every part of one run has the same. */
const SAME_IN_EVERY_PART = ['toolName', 'toolVersion', 'partition', 'organizationId'] as const;
/**
 * The scope (src/core/results.ts), and the tag keys of the owner and managed_by columns: the merged
 * header holds one of each, and the reports read every key's owner with it. (A resumed run may change
 * them: its keys carry their tags, read whenever either is set, which collectTags in the scope keeps.)
 */
const SAME_PARAMETERS = [...SCOPE_PARAMETERS, 'ownerTag', 'managedByTag'] as const;

export interface PartInput {
  /** Named in messages: a path, or s3://bucket/key. */
  source: string;
  /** The local file. */
  path: string;
}

/** Opens and checks the parts; a UsageError says which are from other scans, given twice or missing. */
export async function checkParts(inputs: PartInput[]): Promise<{ parts: Part[]; readers: ResultsReader[] }> {
  if (inputs.length === 0) throw new UsageError('--from: no shard parts to merge');
  const opened: { part: Part; reader: ResultsReader }[] = [];
  for (const input of inputs) {
    const reader = await openResults(input.path).catch((err: unknown) => {
      throw err instanceof UsageError && input.source !== input.path ? new UsageError(`${input.source}: ${err.message}`) : err;
    });
    const shard = reader.header.parameters?.shard ?? null;
    if (!shard) throw new UsageError(`${input.source}: not a shard part (a complete scan's results${reader.header.extensions?.shards ? ', already merged' : ''}); give only the results.part-K-of-N.json files of one run`);
    opened.push({ part: { source: input.source, path: input.path, header: reader.header, shard }, reader });
  }
  const parts = opened.map((o) => o.part);

  const scans = groupBy(parts, (part) => part.header.scanId);
  if (scans.size > 1) {
    throw new UsageError(`--from: parts of different scans: ${[...scans].map(([id, group]) => `${id} (${describeParts(group)})`).join('; ')}; merge the parts of one scan at a time`);
  }
  const scanId = parts[0]!.header.scanId;
  const counts = groupBy(parts, (part) => String(part.shard.count));
  if (counts.size > 1) {
    throw new UsageError(`--from: the parts of scan ${scanId} disagree on the number of shards: ${[...counts].map(([n, group]) => `${n} (${describeParts(group)})`).join('; ')}`);
  }
  const count = parts[0]!.shard.count;
  const byIndex = groupBy(parts, (part) => String(part.shard.index));
  const duplicates = [...byIndex].filter(([, group]) => group.length > 1);
  if (duplicates.length > 0) {
    throw new UsageError(`--from: ${duplicates.map(([index, group]) => `shard ${index}/${count} given ${group.length} times (${describeParts(group)})`).join('; ')}; give each shard once`);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(String(i)));
  if (missing.length > 0) {
    throw new UsageError(`--from: scan ${scanId} has ${count} shards but ${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${[...byIndex.keys()].map(Number).sort((a, b) => a - b).join(', ')}); did ${missing.length === 1 ? 'that shard' : 'those shards'} finish and upload?`);
  }
  for (const field of SAME_IN_EVERY_PART) checkSame(parts, field, (h) => h[field]);
  for (const key of SAME_PARAMETERS) checkSame(parts, `parameters.${key}`, (h) => h.parameters[key]);
  const owner = new Map<string, Part>();
  for (const part of parts) {
    for (const account of part.header.coverage.accounts) {
      const other = owner.get(account.accountId);
      if (other) throw new UsageError(`--from: account ${account.accountId} is in shard ${other.shard.index} (${other.source}) and shard ${part.shard.index} (${part.source}); the parts are not one partition of a run`);
      owner.set(account.accountId, part);
    }
  }
  opened.sort((a, b) => a.part.shard.index - b.part.shard.index);
  return { parts: opened.map((o) => o.part), readers: opened.map((o) => o.reader) };
}

/** Writes the merged results document to `outPath` (atomically); returns its header. */
export async function mergeParts(inputs: PartInput[], outPath: string): Promise<ResultsHeader> {
  return writeMerged(await checkParts(inputs), outPath);
}

/** The merge of parts already checked with checkParts. */
export async function writeMerged({ parts, readers }: { parts: Part[]; readers: ResultsReader[] }, outPath: string): Promise<ResultsHeader> {
  let header: ResultsHeader;
  try {
    header = mergeHeaders(parts);
  } catch (err) {
    if (err instanceof MergeConflict) throw new UsageError(`--from: ${err.message}`);
    throw err;
  }
  let written = 0;
  const sources = parts.map((part, i) => ({ name: part.source, items: counted(readers[i]!.keys(), part) }));
  async function* keys(): AsyncIterable<KeyResult> {
    for await (const key of mergeSorted(sources, compareKeys, (k) => `key ${k.accountId}/${k.region}/${k.keyId}`)) {
      written++;
      yield key;
    }
    if (written !== header.summary.keys) throw new UsageError(`--from: the parts hold ${written} keys but their headers count ${header.summary.keys}; a part is damaged`);
  }
  try {
    await writeResultsDocument(outPath, header, keys());
  } catch (err) {
    if (err instanceof MergeOrderError) throw new UsageError(`--from: ${err.message}`);
    throw err;
  }
  return header;
}

/** A part's keys, checked to belong to the accounts its coverage lists. */
async function* counted(keys: AsyncIterable<KeyResult>, part: Part): AsyncIterable<KeyResult> {
  const accounts = new Set(part.header.coverage.accounts.map((account) => account.accountId));
  for await (const key of keys) {
    if (!accounts.has(key.accountId)) throw new UsageError(`${part.source}: key ${key.keyId} of account ${key.accountId}, which the part's coverage does not list; the part is damaged`);
    yield key;
  }
}

function checkSame(parts: Part[], name: string, value: (header: ResultsHeader) => unknown): void {
  const groups = groupBy(parts, (part) => JSON.stringify(value(part.header) ?? null));
  if (groups.size > 1) {
    throw new UsageError(`--from: the parts of scan ${parts[0]!.header.scanId} disagree on ${name}: ${[...groups].map(([v, group]) => `${v} (${describeParts(group)})`).join(' vs ')}; every shard must run with the same options`);
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
