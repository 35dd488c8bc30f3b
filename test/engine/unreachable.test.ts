import { exitOf } from '../../src/cli/exit-codes.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/engine/index.js';
import { fastTiming, memoryLogger, scanOptions, withSim } from './helpers.js';
import { simScenario } from '../../src/sim/index.js';

describe('before the first AWS answer', () => {
  it('an unreachable endpoint is "nothing assessed" (exit 2), not a usage error', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'kra-unreachable-'));
    const run = runScan(scanOptions(outDir, { maxAttempts: 2 }), {
      logger: memoryLogger(),
      endpoint: 'http://127.0.0.1:1',
      credentials: async () => ({ accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'x'.repeat(40) }),
      timing: fastTiming,
    });
    const err = await run.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'IncompleteError', message: expect.stringMatching(/^AWS not reachable: sts:GetCallerIdentity failed with ECONNREFUSED/) });
    expect(exitOf(err).code).toBe(2);
  });

  it('credentials AWS does not know are a usage error (exit 64) naming the call', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'kra-unreachable-'));
    await withSim({ scenario: simScenario({ accounts: [{ id: '111111111111' }] }) }, async (sim) => {
      const run = runScan(scanOptions(outDir), {
        logger: memoryLogger(),
        endpoint: sim.endpoint,
        credentials: async () => ({ accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'x'.repeat(40) }),
        timing: fastTiming,
      });
      await expect(run).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^AWS credentials: sts:GetCallerIdentity failed with InvalidClientTokenId/) });
    });
  });
});
