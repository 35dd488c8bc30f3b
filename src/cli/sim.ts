import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';
import { quote } from '../core/names.js';
import { generateScenario, loadScenarioFile, startSimulator } from '../sim/index.js';
import { DEFAULT_REGIONS, OPT_IN_REGIONS } from '../sim/regions.js';
import type { SimScenario } from '../sim/index.js';

export interface SimCommandOptions {
  /** JSON scenario file; otherwise a generated organization. */
  scenario?: string;
  accounts?: number;
  regions?: number;
  keysPerRegion?: number;
  /** Added to every answer, milliseconds. */
  latencyMs?: number;
  seed?: number;
  port?: number;
  host?: string;
  /** Enforce AWS's request quotas. */
  quotas?: boolean;
  /** Fixed base credentials (docker-compose's demo); both or neither. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Where the four environment lines go (default stdout). */
  print?: (line: string) => void;
  /** Stops the simulator when aborted (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

/**
 * Bounds of a generated organization: the generator holds it in memory (about 4 kB per key), so
 * `--accounts 100000000` would run for hours and then out of memory. 250,000 keys is about twice
 * the README's largest benchmark (2,000 accounts × 17 regions, 134,160 keys) and takes seconds.
 */
export const SIM_MAX_ACCOUNTS = 100_000;
export const SIM_MAX_KEYS_PER_REGION = 1_000;
export const SIM_MAX_KEYS = 250_000;
const SIM_MAX_REGIONS = DEFAULT_REGIONS.length + OPT_IN_REGIONS.length;
/** Latency beyond a minute only makes every SDK call time out. */
const SIM_MAX_LATENCY_MS = 60_000;

function boundedInt(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got ${quote(String(value))}`);
  return value;
}

/** An IPv4 or IPv6 address, or a host name (RFC 1123 labels). */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Checks every flag before anything starts: one line naming the flag and what was expected. */
function checkOptions(opts: SimCommandOptions): { latencyMs: number; port: number; seed: number; host: string } {
  const latencyMs = boundedInt('latency-ms', opts.latencyMs, 0, 0, SIM_MAX_LATENCY_MS);
  const port = boundedInt('port', opts.port, 0, 0, 65535);
  const seed = boundedInt('seed', opts.seed, 1, 0, 2 ** 32 - 1);
  const host = opts.host ?? '127.0.0.1';
  if (isIP(host) === 0 && !HOST_NAME.test(host)) throw new UsageError(`--host: expected an IP address or a host name (e.g. 127.0.0.1, ::1, localhost), got ${quote(host)}`);
  if (opts.scenario !== undefined) {
    // The scenario file defines the organization: generator flags next to it would be silently ignored.
    for (const [flag, value] of [['--accounts', opts.accounts], ['--regions', opts.regions], ['--keys-per-region', opts.keysPerRegion]] as const) {
      if (value !== undefined) throw new UsageError(`${flag}: has no effect with --scenario (the scenario file defines the organization); expected one of them`);
    }
  }
  if ((opts.accessKeyId === undefined) !== (opts.secretAccessKey === undefined)) {
    throw new UsageError('--access-key-id and --secret-access-key: give both or neither');
  }
  if (opts.accessKeyId !== undefined && !/^AKIA[A-Z0-9]{16}$/.test(opts.accessKeyId)) {
    throw new UsageError(`--access-key-id: expected AKIA followed by 16 upper-case letters or digits, got ${quote(opts.accessKeyId)}`);
  }
  // A secret: what was expected, never the value.
  if (opts.secretAccessKey !== undefined && !/^[A-Za-z0-9+/=]{16,128}$/.test(opts.secretAccessKey)) {
    throw new UsageError('--secret-access-key: expected 16..128 characters of [A-Za-z0-9+/=] (the value is not shown: it is a secret)');
  }
  return { latencyMs, port, seed, host };
}

function generated(opts: SimCommandOptions, seed: number): SimScenario {
  const accounts = boundedInt('accounts', opts.accounts, 10, 1, SIM_MAX_ACCOUNTS);
  const regions = boundedInt('regions', opts.regions, 4, 1, SIM_MAX_REGIONS);
  const keysPerRegion = boundedInt('keys-per-region', opts.keysPerRegion, 4, 0, SIM_MAX_KEYS_PER_REGION);
  if (accounts * regions * keysPerRegion > SIM_MAX_KEYS) {
    throw new UsageError(
      `--accounts ${accounts} × --regions ${regions} × --keys-per-region ${keysPerRegion}: expected at most ${SIM_MAX_KEYS.toLocaleString('en-US')} keys in all, got ${(accounts * regions * keysPerRegion).toLocaleString('en-US')}`,
    );
  }
  return generateScenario({ seed, accounts, regions, keysPerRegion });
}

/**
 * `kms-rotation-audit sim`: serve a simulated organization until SIGINT/SIGTERM, printing the
 * environment a scan needs (endpoint, the management account's simulator-issued keys, region).
 */
export async function runSimCommand(opts: SimCommandOptions): Promise<void> {
  const { latencyMs, port, seed, host } = checkOptions(opts);
  const scenario = opts.scenario !== undefined ? await loadScenarioFile(opts.scenario) : generated(opts, seed);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      scenario,
      ...(opts.accessKeyId && opts.secretAccessKey ? { baseCredentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
      host,
      port,
      seed,
      quotas: opts.quotas ?? false,
      ...(latencyMs > 0 ? { latency: { default: latencyMs } } : {}),
    });
  } catch (err) {
    // The address is the flags' (a name that does not resolve, a port in use or below 1024): name them.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new UsageError(`--port ${port}: cannot listen on ${host}:${port} (${code === 'EADDRINUSE' ? 'in use' : 'permission denied'}); expected a free port, or 0 for any`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') throw new UsageError(`--host ${quote(host).slice(1, -1)}: cannot listen there (${code}); expected an address of this machine, e.g. 127.0.0.1 or 0.0.0.0`);
    throw err;
  }
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  print(`AWS_ENDPOINT_URL=${sim.endpoint}`);
  print(`AWS_ACCESS_KEY_ID=${sim.baseCredentials.accessKeyId}`);
  print(`AWS_SECRET_ACCESS_KEY=${sim.baseCredentials.secretAccessKey}`);
  print(`AWS_REGION=${scenario.homeRegion}`);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      opts.signal?.removeEventListener('abort', done);
      resolve();
    };
    if (opts.signal) {
      if (opts.signal.aborted) return done();
      opts.signal.addEventListener('abort', done, { once: true });
    } else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
  await sim.stop();
}
