import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { simKey, simScenario } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/types.js';
import { fastTiming, memoryLogger } from '../engine/helpers.js';

export const MGMT = '111111111111';

export async function tempDir(prefix = 'kra-evidence-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A small organization whose keys cover PASS, FAIL, EXCEPTION (via a register) and NOT_APPLICABLE. */
export function evidenceScenario() {
  return simScenario({
    accounts: [
      {
        id: MGMT,
        keys: [
          simKey({ region: 'us-east-1', keyId: 'aaaaaaaa-0000-4000-8000-000000000001', rotation: { enabled: false } }),
          simKey({ region: 'us-east-1', keyId: 'aaaaaaaa-0000-4000-8000-000000000002', rotation: { enabled: true, periodDays: 365 } }),
          simKey({ region: 'us-east-1', keyId: 'aaaaaaaa-0000-4000-8000-000000000003', rotation: { enabled: false }, aliases: ['alias/vendor-box'] }),
          simKey({ region: 'us-east-1', keyId: 'aaaaaaaa-0000-4000-8000-000000000004', keyState: 'Disabled', rotation: { enabled: false } }),
        ],
      },
    ],
  });
}

export const REGISTER = [
  'exceptions:',
  '  - id: EX-2026-001',
  '    scope: { aliases: ["alias/vendor-box"] }',
  '    reason: Vendor appliance re-wraps data keys itself',
  '    approver: jane.doe@example.com',
  '    ticket: SEC-1',
  '    created: 2026-01-15',
  '    expires: 2026-12-31',
  '',
].join('\n');

export function kmsFor(sim: Simulator, region = 'us-east-1'): KMSClient {
  return new KMSClient({ endpoint: sim.endpoint, region, credentials: sim.baseCredentials, maxAttempts: 1 });
}

/** An asymmetric signing key in the simulator's management account; returns its ARN. */
export async function createSigningKey(sim: Simulator, keySpec: 'ECC_NIST_P256' | 'RSA_2048' = 'ECC_NIST_P256'): Promise<string> {
  const kms = kmsFor(sim);
  try {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY', Description: 'run folder signing' }));
    return created.KeyMetadata!.Arn!;
  } finally {
    kms.destroy();
  }
}

/** A scan of the simulator into `out`, with the register and the given config settings. */
export async function scanInto(sim: Simulator, out: string, settings: Partial<Config> = {}) {
  const register = join(out, '..', 'exceptions.yaml');
  await writeFile(register, REGISTER);
  const config = configSchema.parse({ out, logFormat: 'json', progress: false, homeRegion: 'us-east-1', previous: null, exceptions: register, ...settings }) as Config;
  // The register is judged at a fixed time, so the entry stays valid whenever the test runs.
  return runScanJob(config, { env: {}, now: () => new Date('2026-06-01T00:00:00Z'), logger: memoryLogger() as never, deps: { endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, timing: fastTiming } });
}

export async function writeKeyFile(dir: string, type: 'ed25519' | 'ec' | 'rsa'): Promise<{ path: string; publicKeyPem: string }> {
  const pair =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, `signer-${type}.pem`);
  await writeFile(path, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  return { path, publicKeyPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}
