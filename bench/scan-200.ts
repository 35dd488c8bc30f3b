/**
 * The scan engine end to end on a generated organization (default 200 accounts × 6 regions ×
 * 4 keys per region), the simulator in a child process with a per-region latency profile
 * (home region ~5 ms, same continent ~40 ms, far regions ~150 ms) and AWS's quotas enforced.
 * Prints one JSON line: keys, API calls by operation, calls per eligible and per other key, wall
 * seconds, calls per second against the ideal (concurrency ÷ mean latency), retries, most
 * requests in flight, peak RSS of the scanning process.
 *
 *   npm run build && node dist/bench/scan-200.js [--accounts 200] [--regions 6] [--keys-per-region 4] [--concurrency 64] [--no-quotas]
 *
 * BENCH_ACCOUNT_PARALLELISM=N overrides how many accounts are scanned at once; with
 * `node --expose-gc` the line also gives peakLiveHeapMB (heap after a full collection, every 2 s),
 * which tells live memory from garbage V8 has not collected yet.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScan } from '../src/scan/index.js';
import type { ScanOptions } from '../src/scan/options.js';
import { generateScenario, keysInScope, startSimulator, type SimCredentials, type SimLatencyProfile, type SimStats } from '../src/sim/index.js';

const args = parseArgs({
  options: {
    accounts: { type: 'string', default: '200' },
    regions: { type: 'string', default: '6' },
    'keys-per-region': { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '64' },
    seed: { type: 'string', default: '42' },
    'no-quotas': { type: 'boolean', default: false },
    'sim-child': { type: 'boolean', default: false },
  },
}).values;

const HOME = 'us-east-1';

/** Same continent as the home region ~40 ms, elsewhere ~150 ms. */
function latencyProfile(regions: string[]): SimLatencyProfile {
  const byRegion: Record<string, number> = {};
  for (const region of regions) byRegion[region] = region === HOME ? 5 : region.startsWith('us-') || region.startsWith('ca-') ? 40 : 150;
  return { default: 150, byRegion, jitterMs: 3 };
}

interface Ready {
  endpoint: string;
  credentials: SimCredentials;
  regions: string[];
  latency: SimLatencyProfile;
  expectedKeys: number;
  accounts: number;
}

type FromChild = { type: 'ready'; ready: Ready } | { type: 'stats'; stats: SimStats };

async function child(): Promise<void> {
  const scenario = generateScenario({ seed: Number(args.seed), accounts: Number(args.accounts), regions: Number(args.regions), keysPerRegion: Number(args['keys-per-region']) });
  const regions = scenario.regions.map((r) => r.name);
  const latency = latencyProfile(regions);
  const sim = await startSimulator({ scenario, latency, quotas: !args['no-quotas'], seed: 1 });
  // Keys a scan must report: ACTIVE accounts it can enter (the management account needs no role).
  const enterable = scenario.accounts.filter((a) => a.id === scenario.managementAccountId || a.roles.length > 0).map((a) => a.id);
  const expectedKeys = keysInScope(scenario, { accountIds: enterable }).length;
  const send = (message: FromChild): void => void process.send?.(message);
  send({ type: 'ready', ready: { endpoint: sim.endpoint, credentials: sim.baseCredentials, regions, latency, expectedKeys, accounts: scenario.accounts.length } });
  process.on('message', (message: string) => {
    if (message === 'stats') send({ type: 'stats', stats: sim.stats() });
    if (message === 'stop') void sim.stop().then(() => process.exit(0));
  });
}

function ask<T extends FromChild['type']>(proc: ChildProcess, type: T, request?: string): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: FromChild): void => {
      if (message.type !== type) return;
      proc.off('message', onMessage);
      resolve(message as Extract<FromChild, { type: T }>);
    };
    proc.on('message', onMessage);
    if (request) proc.send(request);
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--sim-child');
  const proc = fork(fileURLToPath(import.meta.url), [...argv, '--sim-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { ready } = await ask(proc, 'ready');
  const outDir = await mkdtemp(join(tmpdir(), 'bench-scan-'));
  const concurrency = Number(args.concurrency);
  const options: ScanOptions = {
    roleName: 'KmsRotationAuditReader',
    roleArnTemplate: null,
    externalId: null,
    roleSessionName: 'kms-rotation-audit-bench',
    sessionDurationSeconds: 3600,
    accounts: null,
    excludeAccounts: [],
    ous: null,
    useOrganizations: true,
    regions: 'all',
    maxRotationDays: 365,
    evaluateDisabled: false,
    concurrency,
    homeRegion: HOME,
    outDir,
    shard: null,
    collectTags: 'none',
    quotaSafety: 0.5,
    quotaOverrides: {},
    maxAttempts: 6,
  };
  const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  let peakHeapMB = 0;
  const sampler = setInterval(() => {
    peakHeapMB = Math.max(peakHeapMB, process.memoryUsage().heapUsed / 1048576);
  }, 100);
  // With --expose-gc: the live heap (after a full collection) every 2 s, to tell garbage from growth.
  const gc = (globalThis as { gc?: () => void }).gc;
  let peakLiveHeapMB = 0;
  const liveSampler = gc
    ? setInterval(() => {
        gc();
        peakLiveHeapMB = Math.max(peakLiveHeapMB, process.memoryUsage().heapUsed / 1048576);
      }, 2000)
    : undefined;
  const started = performance.now();
  const outcome = await runScan(options, { logger: silent, endpoint: ready.endpoint, credentials: async () => ready.credentials, ...(process.env.BENCH_ACCOUNT_PARALLELISM ? { accountParallelism: Number(process.env.BENCH_ACCOUNT_PARALLELISM) } : {}) });
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (liveSampler) clearInterval(liveSampler);
  const { stats } = await ask(proc, 'stats', 'stats');
  proc.send('stop');

  const header = outcome.header;
  const engine = header.extensions.scan as { retries: number; maxInFlight: number; meanInFlight: number; meanRoundTripMs: number; keyCalls: { eligibleKeys: number; eligibleCalls: number; otherKeys: number; otherCalls: number } };
  const totalCalls = Object.values(header.apiCalls).reduce((a, b) => a + b, 0);
  // Mean latency of the calls made, from the simulator's per-scope counts and the latency profile.
  let weighted = 0;
  let counted = 0;
  for (const [scope, n] of Object.entries(stats.callsByScope)) {
    const region = scope.split('|')[1] ?? HOME;
    weighted += n * (ready.latency.byRegion?.[region] ?? ready.latency.default);
    counted += n;
  }
  const meanLatencyMs = weighted / Math.max(1, counted);
  const idealCallsPerSecond = concurrency / (meanLatencyMs / 1000);
  const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
  console.log(
    JSON.stringify({
      accounts: ready.accounts,
      regions: ready.regions.length,
      keys: header.summary.keys,
      expectedKeys: ready.expectedKeys,
      byStatus: header.summary.byStatus,
      coverageComplete: outcome.coverageComplete,
      accountRegionPairs: header.summary.accountRegionPairs,
      apiCalls: header.apiCalls,
      totalCalls,
      callsPerEligibleKey: round(engine.keyCalls.eligibleCalls / Math.max(1, engine.keyCalls.eligibleKeys), 3),
      callsPerOtherKey: round(engine.keyCalls.otherCalls / Math.max(1, engine.keyCalls.otherKeys), 3),
      eligibleKeys: engine.keyCalls.eligibleKeys,
      otherKeys: engine.keyCalls.otherKeys,
      wallSeconds: round(wallSeconds),
      callsPerSecond: round(totalCalls / wallSeconds, 1),
      meanLatencyMs: round(meanLatencyMs, 1),
      idealCallsPerSecond: round(idealCallsPerSecond, 1),
      shareOfIdeal: round(totalCalls / wallSeconds / idealCallsPerSecond, 3),
      retries: engine.retries,
      retryShare: round(engine.retries / Math.max(1, totalCalls), 4),
      simThrottled: stats.throttled,
      maxInFlight: engine.maxInFlight,
      simMaxInFlight: stats.maxInFlight,
      meanInFlight: engine.meanInFlight,
      meanRoundTripMs: engine.meanRoundTripMs,
      concurrency,
      peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
      peakHeapMB: round(peakHeapMB, 1),
      ...(gc ? { peakLiveHeapMB: round(peakLiveHeapMB, 1) } : {}),
    }),
  );
  await rm(outDir, { recursive: true, force: true });
}

await (args['sim-child'] ? child() : main());
