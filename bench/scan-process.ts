/**
 * One scan of the benchmark's simulator, in a process of its own so that its peak RSS is the
 * scanner's alone. Started by run.ts with fork(): `scan-process.js '<ScanJob JSON>'`; sends one
 * ScanReport message and exits. Memory is sampled as accounts finish, to show whether it grows
 * with the number of account-regions done (it should not: keys are spooled to disk).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCAN_EXTENSION, type ScanEngineExtension } from '../src/core/results.js';
import { runScan } from '../src/engine/index.js';
import type { SimCredentials } from '../src/sim/index.js';
import { benchScanOptions } from './profile.js';

export interface ScanJob {
  endpoint: string;
  credentials: SimCredentials;
  concurrency: number;
}

export interface MemorySample {
  /** Share of the accounts finished, in per cent. */
  accountsDonePct: number;
  rssMB: number;
  heapMB: number;
}

export interface ScanReport {
  type: 'scan';
  keys: number;
  byStatus: Record<string, number>;
  coverageComplete: boolean;
  accountRegionPairs: number;
  apiCalls: Record<string, number>;
  engine: ScanEngineExtension;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  memory: MemorySample[];
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as ScanJob;
  const outDir = await mkdtemp(join(tmpdir(), 'kra-bench-scan-'));
  const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  const mb = (bytes: number): number => Math.round(bytes / 1048576);
  let total = 0;
  let done = 0;
  let nextSamplePct = 10;
  const memory: MemorySample[] = [];
  const sample = (pct: number): void => {
    const usage = process.memoryUsage();
    memory.push({ accountsDonePct: pct, rssMB: mb(usage.rss), heapMB: mb(usage.heapUsed) });
  };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  try {
    const outcome = await runScan(benchScanOptions(outDir, job.concurrency), {
      logger: silent,
      endpoint: job.endpoint,
      credentials: async () => job.credentials,
      progress: {
        accountsTotal: (n) => (total = n),
        accountDone: () => {
          done++;
          const pct = (100 * done) / Math.max(1, total);
          if (pct >= nextSamplePct) {
            sample(nextSamplePct);
            nextSamplePct += 10;
          }
        },
        keysJudged: () => {},
        errors: () => {},
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const header = outcome.header;
    const report: ScanReport = {
      type: 'scan',
      keys: header.summary.keys,
      byStatus: header.summary.byStatus,
      coverageComplete: outcome.coverageComplete,
      accountRegionPairs: header.summary.accountRegionPairs,
      apiCalls: header.apiCalls,
      engine: header.extensions[SCAN_EXTENSION] as ScanEngineExtension,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      memory,
    };
    await rm(outDir, { recursive: true, force: true });
    process.send!(report, () => process.exit(0));
  } catch (err) {
    await rm(outDir, { recursive: true, force: true });
    throw err;
  }
}

await main();
