/**
 * Signed requests per second the simulator answers: a 1,000-account scenario, real KMS clients
 * (SigV4 signing, awsJson serialisation and parsing) calling ListKeys and DescribeKey across
 * accounts and regions with 64 calls in flight, for about 5 seconds. Prints one JSON line.
 *
 *   npm run build && node dist/bench/sim-throughput.js [--seconds 5] [--concurrency 64] [--client-threads 2]
 *
 * The simulator runs in a worker thread, like `kms-rotation-audit sim` in a process of its own.
 * One SDK call costs the client far more CPU than the simulator spends answering it, so the
 * clients run in --client-threads worker threads; `serverBusy` is the share of one core the
 * simulator thread used, and `serverCapacityEstimate` what one fully busy core would answer.
 */
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { generateScenario, startSimulator, type SimCredentials } from '../src/sim/index.js';

interface Target {
  region: string;
  keyIds: string[];
  credentials: SimCredentials;
}

interface Ready {
  endpoint: string;
  targets: Target[];
}

interface DriveResult {
  requests: number;
  errors: number;
  elapsedMs: number;
}

type Role = { role: 'server' } | { role: 'client'; ready: Ready; seconds: number; concurrency: number; offset: number };

const ACCOUNTS = 1000;

async function serve(): Promise<void> {
  const scenario = generateScenario({ seed: 1, accounts: ACCOUNTS, regions: 4, keysPerRegion: 4 });
  const sim = await startSimulator({ scenario });
  const targets: Target[] = [];
  for (const account of scenario.accounts) {
    const credentials = sim.credentialsFor(account.id);
    const byRegion = new Map<string, string[]>();
    for (const key of account.keys) byRegion.set(key.region, [...(byRegion.get(key.region) ?? []), key.keyId]);
    for (const [region, keyIds] of byRegion) targets.push({ region, keyIds, credentials });
  }
  parentPort!.postMessage({ endpoint: sim.endpoint, targets } satisfies Ready);
  parentPort!.on('message', (msg: string) => {
    if (msg === 'mark') parentPort!.postMessage({ elu: performance.eventLoopUtilization() });
    if (msg === 'stop') void sim.stop().then(() => process.exit(0));
  });
}

/** One client per account and region, as a scan holds them; each resolves its config on first use. */
async function drive(ready: Ready, seconds: number, concurrency: number, offset: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const requestHandler = new NodeHttpHandler({ httpAgent: agent });
  const clients = ready.targets.map((t) => new KMSClient({ endpoint: ready.endpoint, region: t.region, credentials: t.credentials, requestHandler, maxAttempts: 1 }));
  const run = async (ms: number, passes: number): Promise<DriveResult> => {
    let requests = 0;
    let errors = 0;
    let next = offset;
    const t0 = performance.now();
    const lane = async (): Promise<void> => {
      while (performance.now() - t0 < ms && next - offset < passes * clients.length) {
        const n = next++;
        const i = n % clients.length;
        const target = ready.targets[i]!;
        const command = n % 2 === 0 ? new ListKeysCommand({}) : new DescribeKeyCommand({ KeyId: target.keyIds[n % target.keyIds.length]! });
        try {
          await clients[i]!.send(command as ListKeysCommand);
          requests++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { requests, errors, elapsedMs: performance.now() - t0 };
  };
  // Warm-up, not measured: every client once (config resolution, signing-key caches, JIT, sockets).
  await run(120_000, 1);
  parentPort!.postMessage('warm');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  const result = await run(seconds * 1000, Infinity);
  agent.destroy();
  parentPort!.postMessage(result);
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function message<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 5);
  const concurrency = flag('concurrency', 64);
  const threads = flag('client-threads', 2);
  const server = new Worker(new URL(import.meta.url), { workerData: { role: 'server' } satisfies Role });
  const ready = await message<Ready>(server);
  const clients = Array.from({ length: threads }, (_, t) => new Worker(new URL(import.meta.url), {
    workerData: { role: 'client', ready, seconds, concurrency: Math.ceil(concurrency / threads), offset: t * 7919 } satisfies Role,
  }));
  await Promise.all(clients.map((w) => message<string>(w)));
  server.postMessage('mark');
  const before = (await message<{ elu: ReturnType<typeof performance.eventLoopUtilization> }>(server)).elu;
  const results = Promise.all(clients.map((w) => message<DriveResult>(w)));
  for (const w of clients) w.postMessage('go');
  const done = await results;
  server.postMessage('mark');
  const after = (await message<{ elu: ReturnType<typeof performance.eventLoopUtilization> }>(server)).elu;
  server.postMessage('stop');
  await Promise.all(clients.map((w) => w.terminate()));
  const requests = done.reduce((n, r) => n + r.requests, 0);
  const errors = done.reduce((n, r) => n + r.errors, 0);
  const elapsedMs = Math.max(...done.map((r) => r.elapsedMs));
  const serverBusy = performance.eventLoopUtilization(after, before).utilization;
  process.stdout.write(
    `${JSON.stringify({ bench: 'sim-throughput', accounts: ACCOUNTS, accountRegions: ready.targets.length, clientThreads: threads, concurrency, seconds: Math.round(elapsedMs) / 1000, requests, errors, requestsPerSecond: Math.round((requests / elapsedMs) * 1000), serverBusy: Math.round(serverBusy * 100) / 100, serverCapacityEstimate: Math.round((requests / elapsedMs) * 1000 / Math.max(serverBusy, 0.01)) })}\n`,
  );
}

const role = workerData as Role | null;
if (isMainThread) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
} else if (role?.role === 'server') {
  await serve();
} else if (role?.role === 'client') {
  await drive(role.ready, role.seconds, role.concurrency, role.offset);
}
