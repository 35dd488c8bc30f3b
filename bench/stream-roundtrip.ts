/**
 * The results document's streaming path at scale, in a process of its own so its peak RSS is
 * measured alone: a generated organization of N keys (default 200,000) written as P shard parts
 * (writeResultsDocument), merged into one document (the k-way merge of `report --from PARTS`),
 * and read back (openResults), checking every key arrives once, in report order. Prints one JSON
 * line: seconds per step, file size, RSS before and at the peak. test/scale/streaming.test.ts runs
 * it and bounds the RSS growth (holding the keys in memory would take several hundred MB).
 *
 *   npm run build && node dist/bench/stream-roundtrip.js [--keys 200000] [--parts 4]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openResults, writeResultsDocument } from '../src/io/results-document.js';
import { compareKeys, emptyStatusCounts, type KeyResult, type ResultsHeader } from '../src/core/results.js';
import { shardOf } from '../src/engine/scope.js';
import { mergeParts } from '../src/app/merge/parts.js';
import { fixtureHeader, fixtureKeys } from '../test/fixtures/results-fixture.js';

const args = parseArgs({ options: { keys: { type: 'string', default: '200000' }, parts: { type: 'string', default: '4' } } }).values;
const mb = (bytes: number): number => Math.round(bytes / 1048576);
const seconds = (since: number): number => Math.round((performance.now() - since) / 10) / 100;

/** The shard parts' headers: the whole organization's, cut to each part's accounts and counted in one pass. */
function partHeaders(whole: ResultsHeader, count: number, keys: Iterable<KeyResult>): ResultsHeader[] {
  const byStatus = Array.from({ length: count }, () => emptyStatusCounts());
  const n = new Array<number>(count).fill(0);
  for (const key of keys) {
    const index = shardOf(key.accountId, count);
    byStatus[index]![key.status]++;
    n[index]!++;
  }
  return Array.from({ length: count }, (_, index) => {
    const mine = (accountId: string): boolean => shardOf(accountId, count) === index;
    const accounts = whole.coverage.accounts.filter((a) => mine(a.accountId));
    const regions = whole.coverage.regions.filter((r) => mine(r.accountId));
    return {
      ...whole,
      complete: false,
      parameters: { ...whole.parameters, shard: { index, count } },
      coverage: { accounts, regions },
      summary: { keys: n[index]!, byStatus: byStatus[index]!, accountsInScope: accounts.filter((a) => a.status !== 'skipped').length, accountRegionPairs: regions.length },
    };
  });
}

async function main(): Promise<void> {
  const keys = Number(args.keys);
  const count = Number(args.parts);
  const dir = await mkdtemp(join(tmpdir(), 'kra-stream-'));
  const baselineRssMB = mb(process.memoryUsage().rss);
  try {
    const opts = { keys, scanId: 'stream-roundtrip' };
    const whole = fixtureHeader(opts);
    const ofPart = function* (index: number): Generator<KeyResult> {
      for (const key of fixtureKeys(opts)) if (shardOf(key.accountId, count) === index) yield key;
    };
    let t = performance.now();
    const headers = partHeaders(whole, count, fixtureKeys(opts));
    const parts = [];
    for (let index = 0; index < count; index++) {
      const path = join(dir, `results.part-${index}-of-${count}.json`);
      await writeResultsDocument(path, headers[index]!, ofPart(index));
      parts.push({ source: path, path });
    }
    const writeSeconds = seconds(t);
    const afterWriteRssMB = mb(process.resourceUsage().maxRSS * 1024);

    t = performance.now();
    const merged = join(dir, 'results.json');
    const header = await mergeParts(parts, merged);
    const mergeSeconds = seconds(t);
    const afterMergeRssMB = mb(process.resourceUsage().maxRSS * 1024);

    t = performance.now();
    const reader = await openResults(merged);
    let read = 0;
    let previous: KeyResult | null = null;
    for await (const key of reader.keys()) {
      if (previous && compareKeys(previous, key) >= 0) throw new Error(`key ${read} out of order`);
      previous = key;
      read++;
    }
    const readSeconds = seconds(t);
    const line = {
      bench: 'stream-roundtrip',
      keys,
      parts: count,
      keysRead: read,
      headerKeys: header.summary.keys,
      mergedMB: mb((await stat(merged)).size),
      writeSeconds,
      mergeSeconds,
      readSeconds,
      baselineRssMB,
      afterWriteRssMB,
      afterMergeRssMB,
      peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
    };
    process.stdout.write(JSON.stringify(line) + '\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
