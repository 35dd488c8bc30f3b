/** Hand-made shard parts for merge tests: one account per shard unless told otherwise. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { compareKeys, emptyStatusCounts, type AccountCoverage, type KeyResult, type ResultsHeader } from '../../src/core/results.js';
import { makeHeader, makeKey, scannedRegion } from '../helpers/results.js';

export function accountCoverage(accountId: string): AccountCoverage {
  return { accountId, accountName: `acct-${accountId}`, state: 'ACTIVE', ouPath: 'Root', ouIds: ['r-ab12'], access: 'assumed-role', roleArn: null, status: 'scanned', error: null, reason: null };
}

export interface PartSpec {
  index: number;
  count: number;
  scanId?: string;
  accounts?: string[];
  keys?: KeyResult[];
  header?: Partial<ResultsHeader>;
  parameters?: Record<string, unknown>;
}

/** Keys of an account: `n` in eu-west-1 and one in us-east-1, statuses cycling PASS, FAIL, NOT_APPLICABLE. */
export function keysOf(accountId: string, n = 3): KeyResult[] {
  const statuses = ['PASS', 'FAIL', 'NOT_APPLICABLE'] as const;
  return [
    ...Array.from({ length: n }, (_, i) => makeKey({ accountId, region: 'eu-west-1', keyId: `${accountId.slice(-4)}-${String(i).padStart(4, '0')}`, status: statuses[i % 3]! })),
    makeKey({ accountId, region: 'us-east-1', keyId: `${accountId.slice(-4)}-east` }),
  ];
}

/** Writes results.part-K-of-N.json into dir and returns its path. */
export async function writePart(dir: string, spec: PartSpec): Promise<string> {
  await mkdir(dir, { recursive: true });
  const accounts = spec.accounts ?? [String(100000000000 + spec.index).padStart(12, '0')];
  const keys = (spec.keys ?? accounts.flatMap((id) => keysOf(id))).sort(compareKeys);
  const byStatus = emptyStatusCounts();
  for (const key of keys) byStatus[key.status]++;
  const regions = accounts.flatMap((id) => [scannedRegion(id, 'eu-west-1'), scannedRegion(id, 'us-east-1')]);
  const base = makeHeader();
  const header = makeHeader({
    scanId: spec.scanId ?? 'run-1',
    complete: false,
    startedAt: `2026-11-28T00:0${spec.index % 10}:00.000Z`,
    parameters: { ...base.parameters, ...spec.parameters, shard: { index: spec.index, count: spec.count } },
    coverage: { accounts: accounts.map(accountCoverage), regions },
    summary: { keys: keys.length, byStatus, accountsInScope: accounts.length, accountRegionPairs: regions.length },
    apiCalls: { 'kms:DescribeKey': keys.length, 'organizations:ListAccounts': 2 },
    extensions: { scan: { coverageComplete: true, gaps: { accounts: 0, regions: 0, errorKeys: 0 }, retries: 1, retriesByClass: { throttling: 1 }, retriesExhausted: 0, maxInFlight: 8, meanInFlight: 4, meanRoundTripMs: 20, keyCalls: { eligibleKeys: 2, eligibleCalls: 6, otherKeys: 1, otherCalls: 1 } } },
    ...spec.header,
  });
  const path = join(dir, `results.part-${spec.index}-of-${spec.count}.json`);
  await writeResultsDocument(path, header, keys);
  return path;
}

const made: string[] = [];

/** A fresh folder under the system temp dir, removed by removeTempDirs (call it in afterAll). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
