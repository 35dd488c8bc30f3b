import { UsageError } from '../errors.js';
import { generateScenario, loadScenarioFile, startSimulator } from '../sim/index.js';
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

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got ${value}`);
  return value;
}

/**
 * `kms-rotation-audit sim`: serve a simulated organization until SIGINT/SIGTERM, printing the
 * environment a scan needs (endpoint, the management account's simulator-issued keys, region).
 */
export async function runSimCommand(opts: SimCommandOptions): Promise<void> {
  const latencyMs = opts.latencyMs ?? 0;
  if (!(latencyMs >= 0)) throw new UsageError(`--latency-ms: expected a number ≥ 0, got ${opts.latencyMs}`);
  const port = positiveInt('port', opts.port, 0, 0);
  if (port > 65535) throw new UsageError(`--port: expected 0..65535, got ${port}`);
  const seed = positiveInt('seed', opts.seed, 1, 0);
  let scenario: SimScenario;
  if (opts.scenario !== undefined) scenario = await loadScenarioFile(opts.scenario);
  else {
    scenario = generateScenario({
      seed,
      accounts: positiveInt('accounts', opts.accounts, 10),
      regions: positiveInt('regions', opts.regions, 4),
      keysPerRegion: positiveInt('keys-per-region', opts.keysPerRegion, 4, 0),
    });
  }
  if ((opts.accessKeyId === undefined) !== (opts.secretAccessKey === undefined)) {
    throw new UsageError('--access-key-id and --secret-access-key: give both or neither');
  }
  if (opts.accessKeyId !== undefined && !/^AKIA[A-Z0-9]{16}$/.test(opts.accessKeyId)) {
    throw new UsageError(`--access-key-id: expected AKIA followed by 16 upper-case letters or digits, got ${JSON.stringify(opts.accessKeyId)}`);
  }
  if (opts.secretAccessKey !== undefined && opts.secretAccessKey.length < 16) throw new UsageError('--secret-access-key: expected at least 16 characters');
  const sim = await startSimulator({
    scenario,
    ...(opts.accessKeyId && opts.secretAccessKey ? { baseCredentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
    host: opts.host ?? '127.0.0.1',
    port,
    seed,
    quotas: opts.quotas ?? false,
    ...(latencyMs > 0 ? { latency: { default: latencyMs } } : {}),
  });
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
