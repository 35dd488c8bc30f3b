/**
 * A 200-account organization with per-region latency and AWS's quotas enforced: the scan judges
 * every key, never has more requests in flight than --concurrency, and stays within every quota.
 */
import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim } from './helpers.js';

const latency = { default: 12, byRegion: { 'us-east-1': 3, 'eu-west-1': 8 }, jitterMs: 3 };

describe('scale', () => {
  it('200 accounts with latency: bounded in flight, no throttling with quotas on', async () => {
    const s = generateScenario({ seed: 200, accounts: 200, regions: 3, keysPerRegion: 2 });
    await withSim({ scenario: s, latency, quotas: true, seed: 1 }, async (sim) => {
      const run = await scan(sim, { concurrency: 24 });
      expectInvariant(run.keys, expectedKeys(s));
      const stats = sim.stats();
      expect(stats.maxInFlight).toBeLessThanOrEqual(24);
      expect(stats.maxInFlight).toBeGreaterThan(12);
      expect(stats.throttled).toBe(0);
      const engine = run.outcome.header.extensions.scan as { retries: number; maxInFlight: number };
      expect(engine.retries).toBe(0);
      expect(engine.maxInFlight).toBeLessThanOrEqual(24);
      expect(run.outcome.header.coverage.accounts.length).toBe(200);
    });
  }, 120_000);

  it('quotas ten times lower, told to the scan with --quota overrides: within 1% throttled, every key judged', async () => {
    const s = generateScenario({ seed: 201, accounts: 40, regions: 2, keysPerRegion: 6 });
    const scale = 0.1;
    const published = { 'kms:ListKeys': 500, 'kms:ListAliases': 500, 'kms:DescribeKey': 2000, 'kms:GetKeyRotationStatus': 1000, 'kms:ListKeyRotations': 100, 'sts:AssumeRole': 600, 'sts:GetCallerIdentity': 600, 'organizations:*': 20, 'ec2:DescribeRegions': 20 };
    const quotaOverrides = Object.fromEntries(Object.entries(published).map(([op, rps]) => [op, rps * scale]));
    await withSim({ scenario: s, latency, quotas: { scale }, seed: 2 }, async (sim) => {
      // Real back-off bases (not the shrunk test ones): a throttled call waits as it would against AWS.
      const run = await scan(sim, { concurrency: 32, quotaOverrides, quotaSafety: 0.9 }, { timing: {} });
      expectInvariant(run.keys, expectedKeys(s));
      const stats = sim.stats();
      const calls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
      expect(stats.throttled / calls).toBeLessThanOrEqual(0.01);
      expect(stats.maxInFlight).toBeLessThanOrEqual(32);
    });
  }, 120_000);
});
