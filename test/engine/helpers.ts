/**
 * Test harness for scans against the simulated organization: start it, run the engine with real
 * SDK clients, read results.json back, and check the invariant (every key the simulator holds in
 * scope appears exactly once, with the status an independent oracle expects, or ERROR).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openResults } from '../../src/io/results-document.js';
import type { KeyResult, Status } from '../../src/core/results.js';
import { runScan, type ScanDeps, type ScanOutcome } from '../../src/engine/index.js';
import { configSchema } from '../../src/config/schema.js';
import { scanOptionsOf, type ScanOptions } from '../../src/engine/options.js';
import { startSimulator } from '../../src/sim/index.js';
import type { SimKey, SimOptions, SimScenario, Simulator } from '../../src/sim/types.js';

export interface LogRecord {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

export function memoryLogger(): ScanDeps['logger'] & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = (level: string) => (obj: Record<string, unknown>, msg?: string) => void records.push({ level, obj, msg });
  return { records, info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

/** A scan's options as the config schema's defaults give them (src/config/schema.ts), with the tests' session name, concurrency and regions. */
export function scanOptions(outDir: string, over: Partial<ScanOptions> = {}): ScanOptions {
  const config = configSchema.parse({ roleSessionName: 'kms-rotation-audit-test', concurrency: 16 });
  return { ...scanOptionsOf(config, { outDir, homeRegion: 'us-east-1', shard: null }), regions: null, ...over };
}

/** Shrunk back-off: retries happen at once, in milliseconds. */
export const fastTiming: NonNullable<ScanDeps['timing']> = { retryBaseDelayMs: 1, retryThrottlingBaseDelayMs: 2, retryMaxDelayMs: 20 };

export interface ScanRun {
  outcome: ScanOutcome;
  keys: KeyResult[];
  logger: ReturnType<typeof memoryLogger>;
  outDir: string;
}

export async function withSim<T>(options: SimOptions, body: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

export async function scan(sim: Simulator, over: Partial<ScanOptions> = {}, deps: Partial<ScanDeps> = {}): Promise<ScanRun> {
  const outDir = await mkdtemp(join(tmpdir(), 'kra-scan-'));
  const logger = memoryLogger();
  try {
    const outcome = await runScan(scanOptions(outDir, over), {
      logger,
      endpoint: sim.endpoint,
      credentials: async () => sim.baseCredentials,
      timing: fastTiming,
      ...deps,
    });
    const reader = await openResults(outcome.resultsPath);
    const keys: KeyResult[] = [];
    for await (const key of reader.keys()) keys.push(key);
    return { outcome, keys, logger, outDir };
  } catch (err) {
    await rm(outDir, { recursive: true, force: true });
    throw err;
  }
}

export interface Policy {
  maxRotationDays: number;
  evaluateDisabled: boolean;
}

/** The test's own oracle for KMS-002 (written from the issue, independently of src/rules). */
export function expectedStatus(key: SimKey, policy: Policy = { maxRotationDays: 365, evaluateDisabled: false }): Status {
  if (key.keyManager === 'AWS') return 'NOT_APPLICABLE';
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') return 'NOT_APPLICABLE';
  if (key.origin !== 'AWS_KMS' || key.customKeyStoreId) return 'NOT_APPLICABLE';
  if (key.multiRegion?.type === 'REPLICA') return 'NOT_APPLICABLE';
  if (['PendingDeletion', 'PendingReplicaDeletion', 'PendingImport'].includes(key.keyState)) return 'NOT_APPLICABLE';
  if (key.keyState === 'Disabled' && !policy.evaluateDisabled) return 'NOT_APPLICABLE';
  if (!key.rotation.enabled) return 'FAIL';
  if ((key.rotation.periodDays ?? 365) > policy.maxRotationDays) return 'FAIL';
  return 'PASS';
}

export interface ExpectedKey {
  accountId: string;
  region: string;
  keyId: string;
  status: Status;
}

/** Keys a scan should report: ACTIVE (State, else Status) accounts given, regions enabled for them (or `regions`). */
export function expectedKeys(scenario: SimScenario, opts: { accounts?: string[]; regions?: string[]; policy?: Policy; includeNoRole?: boolean } = {}): ExpectedKey[] {
  const out: ExpectedKey[] = [];
  for (const account of scenario.accounts) {
    if (opts.accounts && !opts.accounts.includes(account.id)) continue;
    const state = account.omitState || !account.state ? account.status : account.state;
    if (state !== 'ACTIVE') continue;
    if (!opts.includeNoRole && account.id !== scenario.managementAccountId && account.roles.length === 0) continue;
    const added = new Set<string>();
    for (const key of account.keys) {
      if (opts.regions && !opts.regions.includes(key.region)) continue;
      out.push({ accountId: account.id, region: key.region, keyId: key.keyId, status: expectedStatus(key, opts.policy) });
      added.add(`${key.region}|${key.keyId}`);
    }
    // Issue 10: every multi-Region set is judged once, through its primary, wherever it is: a replica
    // in scope whose primary's region is outside the scan brings the primary in as a row of its own.
    for (const key of account.keys) {
      if (opts.regions && !opts.regions.includes(key.region)) continue;
      const mr = key.multiRegion;
      if (mr?.type !== 'REPLICA' || added.has(`${mr.primaryRegion}|${mr.primaryKeyId}`)) continue;
      const primary = account.keys.find((k) => k.region === mr.primaryRegion && k.keyId === mr.primaryKeyId);
      if (!primary) continue;
      out.push({ accountId: account.id, region: primary.region, keyId: primary.keyId, status: expectedStatus(primary, opts.policy) });
      added.add(`${primary.region}|${primary.keyId}`);
    }
  }
  return out.sort((a, b) => cmp(a.accountId, b.accountId) || cmp(a.region, b.region) || cmp(a.keyId, b.keyId));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const id = (k: { accountId: string; region: string; keyId: string }): string => `${k.accountId}|${k.region}|${k.keyId}`;

/**
 * The invariant: the results hold exactly the expected keys, once each, in report order, each with
 * the expected status or ERROR (ERROR only where `errorsAllowed` says so; every ERROR has an error record).
 */
export function expectInvariant(keys: KeyResult[], expected: ExpectedKey[], errorsAllowed: (k: ExpectedKey) => boolean = () => false): void {
  expect(keys.map(id)).toEqual(expected.map(id));
  const byId = new Map(expected.map((k) => [id(k), k]));
  for (const key of keys) {
    const want = byId.get(id(key))!;
    if (key.status === 'ERROR') {
      expect(errorsAllowed(want), `unexpected ERROR for ${id(key)}: ${key.reason}`).toBe(true);
      expect(key.error).not.toBeNull();
    } else {
      expect(key.status, `${id(key)}: ${key.reason}`).toBe(want.status);
      expect(key.error).toBeNull();
    }
    expect(key.reason.length).toBeGreaterThan(10);
  }
}
