/**
 * `npm run bench`: the scale benchmark of issue 7. For each size (S 50 × 6, M 500 × 17,
 * L 2,000 × 17; pick with `--sizes S,M`) it starts the simulated organization in a process of its
 * own (per-region latency, AWS's quotas on), scans it in a child process with the real engine, and
 * prints one JSON line of figures. On S it also times the seed's one-at-a-time audit against the
 * same simulator and prints the speed-up. Then it runs bench/report-100k (every report file of 100,000
 * keys). Figures, never assertions: the targets are printed next to them.
 *
 * Every line shows the scanner's CPU per AWS call (process CPU time ÷ calls): with one thread, its
 * inverse is the ceiling on calls per second whatever the concurrency. `--concurrency 64,128,256`
 * sweeps: each size is scanned once per value (the seed audit only with the first).
 *
 *   npm run bench [-- --sizes S,M,L] [--concurrency 64|64,128,256] [--no-seed] [--no-report]
 *                    [--scan-node-options=--max-old-space-size=128]   V8/Node flags for the scanning process
 *                                                  (default: the image's NODE_OPTIONS, bench/node-options.ts)
 *   BENCH_CPU_PROF=DIR npm run bench -- --sizes M                        a CPU profile of the scan (node --cpu-prof)
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imageNodeOptions, nodeOptionArgs } from './node-options.js';
import { SIZES, type BenchSize } from './profile.js';
import type { ScanJob, ScanReport } from './scan-process.js';
import type { SeedReport } from './seed-audit.js';
import type { SimReady, SimSummary } from './sim-process.js';

const args = parseArgs({
  options: {
    sizes: { type: 'string', default: 'S,M,L' },
    concurrency: { type: 'string', default: '64' }, // the README's table; the config schema's default is 256 (src/config/schema.ts)
    seed: { type: 'string', default: '7' },
    'no-seed': { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    'scan-node-options': { type: 'string', default: imageNodeOptions() },
  },
}).values;

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

type Message = SimReady | SimSummary | ScanReport | SeedReport;

/** The next message of `type` from a child (rejects if it exits first). */
function next<T extends Message['type']>(child: ChildProcess, type: T): Promise<Extract<Message, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message): void => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<Message, { type: T }>);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${type}: child process exited with ${code} before answering`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function runChild<T extends 'scan' | 'seed'>(file: string, type: T, job: ScanJob, execArgv: string[] = []): Promise<Extract<Message, { type: T }>> {
  const child = fork(here(file), [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return next(child, type);
}

async function simStats(sim: ChildProcess): Promise<SimSummary> {
  const answer = next(sim, 'stats');
  sim.send('stats');
  return answer;
}

async function benchSize(size: BenchSize, concurrency: number, withSeed: boolean): Promise<void> {
  const sim = fork(here('./sim-process.js'), [String(size.accounts), String(size.regions), String(size.keysPerRegion), args.seed], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await next(sim, 'ready');
    const job: ScanJob = { endpoint: ready.endpoint, credentials: ready.credentials, concurrency };
    const execArgv = [...nodeOptionArgs(args['scan-node-options']), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])];
    const scan = await runChild('./scan-process.js', 'scan', job, execArgv);
    const stats = await simStats(sim);
    const totalCalls = Object.values(scan.apiCalls).reduce((a, b) => a + b, 0);
    const callsPerSecond = totalCalls / scan.wallSeconds;
    const idealCallsPerSecond = concurrency / (stats.meanLatencyMs / 1000);
    const k = scan.engine.keyCalls;
    const throttlingRetries = scan.engine.retriesByClass.throttling ?? 0;
    const line: Record<string, unknown> = {
      bench: 'scan',
      size: size.name,
      accounts: ready.accounts,
      regions: ready.regions.length,
      accountRegionPairs: scan.accountRegionPairs,
      keys: scan.keys,
      expectedKeys: ready.expectedKeys,
      byStatus: scan.byStatus,
      apiCalls: scan.apiCalls,
      totalCalls,
      callsPerEligibleKey: round(k.eligibleCalls / Math.max(1, k.eligibleKeys), 3),
      callsPerOtherKey: round(k.otherCalls / Math.max(1, k.otherKeys), 3),
      wallSeconds: round(scan.wallSeconds, 1),
      callsPerSecond: round(callsPerSecond, 1),
      concurrency,
      scanNodeOptions: execArgv.join(' '),
      meanLatencyMs: round(stats.meanLatencyMs, 1),
      idealCallsPerSecond: round(idealCallsPerSecond, 1),
      shareOfIdeal: round(callsPerSecond / idealCallsPerSecond, 3),
      throttlingRetries,
      retries: scan.engine.retries,
      retryShare: round(scan.engine.retries / Math.max(1, totalCalls), 4),
      simThrottled: stats.throttled,
      maxInFlight: scan.engine.maxInFlight,
      meanInFlight: scan.engine.meanInFlight,
      meanRoundTripMs: scan.engine.meanRoundTripMs,
      scanCpuSeconds: round(scan.cpuSeconds, 1),
      cpuMsPerCall: round((1000 * scan.cpuSeconds) / Math.max(1, totalCalls), 3),
      cpuBoundCallsPerSecond: round(totalCalls / Math.max(1e-9, scan.cpuSeconds), 1),
      load: loadavg().map((x) => round(x)),
      peakRssMB: scan.peakRssMB,
      memoryByAccountsDone: scan.memory.map((m) => `${m.accountsDonePct}%:${m.rssMB}/${m.heapMB}`).join(' '),
    };
    if (size.name === 'S' && withSeed && !args['no-seed']) {
      sim.send('reset');
      const seed = await runChild('./seed-audit.js', 'seed', job);
      line.seed = { wallSeconds: round(seed.wallSeconds, 1), calls: seed.calls, keys: seed.keys, checked: seed.checked, errors: seed.errors, accounts: seed.accounts };
      line.speedUp = round(seed.wallSeconds / scan.wallSeconds, 1);
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  } finally {
    sim.send('stop');
  }
}

async function main(): Promise<void> {
  const sweep = args.concurrency.split(',').map((c) => Number(c.trim()));
  if (sweep.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--concurrency: expected positive integers separated by commas, got ${args.concurrency}`);
  const names = args.sizes.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const name of names) {
    const size = SIZES[name];
    if (!size) throw new Error(`--sizes: unknown size ${name} (expected S, M or L)`);
  }
  process.stdout.write(
    JSON.stringify({ bench: 'targets', cpuMsPerCall: '<= 0.6', M: { shareOfIdeal: '>= 0.8', callsPerSecond: '>= 1200' }, L: { callsPerSecond: '>= 1200', peakRssMB: '<= 250' }, callsPerEligibleKey: '<= 3.1', callsPerOtherKey: '<= 1.05', retryShare: '<= 0.01', report100k: { seconds: '<= 30', peakRssMb: '<= 500' } }) + '\n',
  );
  for (const name of names) for (const [i, concurrency] of sweep.entries()) await benchSize(SIZES[name]!, concurrency, i === 0);
  if (!args['no-report']) {
    const out = execFileSync(process.execPath, [here('./report-100k.js')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(out);
    // report-100k leaves its folder (~180 MB) for inspection; the runner only wants the figures.
    const dir = (JSON.parse(out.trim().split('\n').at(-1)!) as { dir?: string }).dir;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
