/**
 * Endpoints are never hard-coded: the installed SDK honours AWS_ENDPOINT_URL and the per-service
 * AWS_ENDPOINT_URL_<SERVICE> (which wins), so the same build runs against AWS, the simulator or
 * an emulator. (This file runs in its own process: vitest's forks pool isolates files.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { simScenario } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim } from '../engine/helpers.js';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const s = simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-1', keyId: 'k1' }] }, { id: '222222222222', keys: [{ region: 'us-east-1', keyId: 'k2' }] }] });

describe('endpoint from the environment', () => {
  it('AWS_ENDPOINT_URL sends every service to the simulator', async () => {
    await withSim({ scenario: s }, async (sim) => {
      process.env.AWS_ENDPOINT_URL = sim.endpoint;
      const run = await scan(sim, {}, { endpoint: undefined });
      expectInvariant(run.keys, expectedKeys(s));
      expect(sim.stats().calls['sts:GetCallerIdentity']).toBe(1);
    });
  });

  it('AWS_ENDPOINT_URL_KMS wins over AWS_ENDPOINT_URL for KMS only', async () => {
    await withSim({ scenario: s }, async (sim) => {
      process.env.AWS_ENDPOINT_URL = sim.endpoint;
      process.env.AWS_ENDPOINT_URL_KMS = 'http://127.0.0.1:9'; // nothing listens there
      const run = await scan(sim, { maxAttempts: 2 }, { endpoint: undefined });
      expect(run.keys).toEqual([]);
      expect(sim.stats().calls['kms:ListKeys'] ?? 0).toBe(0);
      expect(sim.stats().calls['sts:AssumeRole']).toBe(1);
      const regions = run.outcome.header.coverage.regions;
      expect(regions.length).toBeGreaterThan(0);
      for (const region of regions) expect(region).toMatchObject({ status: 'error', error: { code: 'ECONNREFUSED', operation: 'kms:ListKeys' } });
    });
  });
});
