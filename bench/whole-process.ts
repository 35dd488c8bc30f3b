/**
 * The whole process, as a user runs it (issue 15's 100-account figure): `kms-rotation-audit sim
 * --accounts 100 --regions 6 --keys-per-region 4 --latency-ms 40 --seed 5` in one process, then
 * `kms-rotation-audit scan` against it in another, start-up, organization listing, scan and
 * reports included. Prints one JSON line per run: wall seconds, CPU seconds, CPU ms per AWS call,
 * peak RSS and the time to the first AWS request (bench/usage-hook.ts), the simulator's own CPU
 * seconds during the run (it shares the machine's cores), with the machine's load.
 *
 * The scan runs with the image's NODE_OPTIONS (bench/node-options.ts) unless `--scan-node-options`
 * says otherwise (`--scan-node-options=` for Node.js's own defaults).
 *
 *   node dist/bench/whole-process.js [--runs 3] [--concurrency 64,128,256] [--accounts 100] [--scan-node-options=...]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openResults } from '../src/io/results-document.js';
import { imageNodeOptions, nodeOptionArgs } from './node-options.js';

const args = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '' },
    accounts: { type: 'string', default: '100' },
    'scan-node-options': { type: 'string', default: imageNodeOptions() },
  },
}).values;

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const hook = fileURLToPath(new URL('./usage-hook.js', import.meta.url));
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * CPU seconds a process has used so far, from /proc/<pid>/stat (utime + stime, fields 14 and 15, in
 * USER_HZ ticks: 100 per second on Linux, proc(5)); null where there is no /proc.
 */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Starts the simulator CLI; resolves with the environment it prints once it listens. */
function startSim(): Promise<{ env: Record<string, string>; stop: () => void; cpuSeconds: () => number | null }> {
  const child = spawn(process.execPath, [cli, 'sim', '--accounts', args.accounts, '--regions', '6', '--keys-per-region', '4', '--latency-ms', '40', '--seed', '5', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const env = Object.fromEntries(out.split('\n').flatMap((line) => (/^AWS_[A-Z_]+=/.test(line) ? [line.split(/=(.*)/s).slice(0, 2) as [string, string]] : [])));
      if (env.AWS_REGION) resolve({ env, stop: () => child.kill(), cpuSeconds: () => cpuSecondsOf(child.pid) });
    });
    child.on('exit', (code) => reject(new Error(`sim exited with ${code} before listening`)));
  });
}

interface RunFigures {
  wallSeconds: number;
  exitCode: number | null;
  cpuSeconds: number;
  peakRssMB: number;
  firstRequestMs: number | null;
  calls: number;
}

async function scanOnce(env: Record<string, string>, concurrency: string): Promise<RunFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'kra-bench-whole-'));
  const usageFile = join(dir, 'usage.jsonl');
  try {
    const flags = ['--out', join(dir, 'run'), ...(concurrency ? ['--concurrency', concurrency] : [])];
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [...nodeOptionArgs(args['scan-node-options']), '--import', hook, cli, 'scan', ...flags], {
        stdio: ['ignore', 'ignore', 'ignore'],
        env: { ...process.env, ...env, BENCH_USAGE_FILE: usageFile, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      child.on('exit', (code) => resolve(code));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const usage = JSON.parse((await readFile(usageFile, 'utf8')).trim().split('\n').at(-1)!) as { cpuSeconds: number; peakRssMB: number; firstRequestMs: number | null };
    const { header } = await openResults(join(dir, 'run', 'results.json'));
    const calls = Object.values(header.apiCalls).reduce((a, b) => a + b, 0);
    return { wallSeconds, exitCode, calls, ...usage };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sim = await startSim();
  try {
    const sweep = args.concurrency ? args.concurrency.split(',') : [''];
    for (const concurrency of sweep) {
      for (let run = 1; run <= Number(args.runs); run++) {
        const load = loadavg()[0]!;
        const simCpuBefore = sim.cpuSeconds();
        const f = await scanOnce(sim.env, concurrency);
        const simCpuAfter = sim.cpuSeconds();
        const line = {
          bench: 'whole-process',
          accounts: Number(args.accounts),
          concurrency: concurrency || 'default',
          scanNodeOptions: args['scan-node-options'],
          run,
          wallSeconds: round(f.wallSeconds),
          exitCode: f.exitCode,
          cpuSeconds: round(f.cpuSeconds),
          calls: f.calls,
          cpuMsPerCall: round((1000 * f.cpuSeconds) / Math.max(1, f.calls), 3),
          // The simulator shares the machine: scanner and simulator CPU against wall × cores shows how close the run is to CPU-bound.
          simCpuSeconds: simCpuBefore === null || simCpuAfter === null ? null : round(simCpuAfter - simCpuBefore),
          cores: availableParallelism(),
          peakRssMB: f.peakRssMB,
          firstRequestMs: f.firstRequestMs,
          loadBefore: round(load),
          loadAfter: round(loadavg()[0]!),
        };
        process.stdout.write(JSON.stringify(line) + '\n');
      }
    }
  } finally {
    sim.stop();
  }
}

await main();
