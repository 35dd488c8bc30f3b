/** The results document the engine writes: header, order, progress, and no spool left behind. */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/core/results.js';
import { generateScenario } from '../../src/sim/index.js';
import { toolVersion } from '../../src/io/version.js';
import { scan, withSim } from './helpers.js';

describe('results document', () => {
  it('has a complete header, keys in report order, progress that adds up, and no spool left', async () => {
    const s = generateScenario({ seed: 5, accounts: 10, regions: 3, keysPerRegion: 3 });
    // A clock that moves one second per reading.
    let tick = 0;
    const now = () => new Date(Date.parse('2026-11-28T18:30:00.000Z') + 1000 * tick++);
    const progress = { totals: [] as number[], done: [] as string[], keys: 0, errors: 0 };
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(
        sim,
        { externalId: null },
        {
          now,
          progress: {
            accountsTotal: (n) => progress.totals.push(n),
            accountDone: (id) => progress.done.push(id),
            keysJudged: (n) => (progress.keys += n),
            errors: (n) => (progress.errors += n),
          },
        },
      );
      const h = run.outcome.header;
      expect(h.scanId).toMatch(/^2026-11-28T18-30-00Z-[0-9a-f]{6}$/);
      expect(h).toMatchObject({ toolName: 'kms-rotation-audit', toolVersion, startedAt: '2026-11-28T18:30:00.000Z', finishedAt: new Date(Date.parse('2026-11-28T18:30:00.000Z') + 1000 * (tick - 1)).toISOString(), complete: true, partition: 'aws' });
      expect(h.callerIdentity).toEqual({ account: s.managementAccountId, arn: expect.stringContaining(s.managementAccountId) });
      expect(h.organizationId).toBe(s.organizationId);
      expect(h.managementAccountId).toBe(s.managementAccountId);
      expect(h.parameters).toEqual({
        roleName: 'KmsRotationAuditReader',
        roleArnTemplate: null,
        externalIdSet: false,
        roleSessionName: 'kms-rotation-audit-test',
        sessionDurationSeconds: 3600,
        accounts: null,
        excludeAccounts: [],
        ous: null,
        useOrganizations: true,
        regions: null,
        maxRotationDays: 365,
        evaluateDisabled: false,
        concurrency: 16,
        homeRegion: 'us-east-1',
        shard: null,
        collectTags: 'none',
        ownerTag: null,
        managedByTag: null,
        quotaSafety: 0.5,
        quotaOverrides: {},
        maxAttempts: 6,
      });
      // Every API call the simulator saw is accounted for, by service:Operation.
      expect(h.apiCalls).toEqual(sim.stats().calls);
      const total = h.summary.byStatus.PASS + h.summary.byStatus.FAIL + h.summary.byStatus.NOT_APPLICABLE + h.summary.byStatus.ERROR + h.summary.byStatus.EXCEPTION;
      expect(h.summary.keys).toBe(run.keys.length);
      expect(total).toBe(run.keys.length);
      expect(h.summary.accountRegionPairs).toBe(h.coverage.regions.length);
      expect(run.outcome.counts).toEqual(h.summary.byStatus);
      expect(h.extensions.scan).toMatchObject({ coverageComplete: false, gaps: { accounts: expect.any(Number), regions: 0, errorKeys: 0 }, retries: 0, maxInFlight: expect.any(Number) });
      // Coverage sorted by account then region; keys by account, region, key id; evaluatedAt from the clock.
      const accountIds = h.coverage.accounts.map((a) => a.accountId);
      expect(accountIds).toEqual([...accountIds].sort());
      const sortedKeys = [...run.keys].sort(compareKeys);
      expect(run.keys).toEqual(sortedKeys);
      for (const k of run.keys) expect(k.evaluatedAt > h.startedAt && k.evaluatedAt < h.finishedAt).toBe(true);
      // Progress: one total, one "done" per account scanned or failed, keys and errors that add up.
      const reached = h.coverage.accounts.filter((a) => a.status !== 'skipped');
      // The total grows as the inventory streams; the last call is the total, never decreasing.
      expect(progress.totals.at(-1)).toBe(reached.length);
      expect(progress.totals).toEqual([...progress.totals].sort((a, b) => a - b));
      expect(progress.done.sort()).toEqual(reached.map((a) => a.accountId));
      expect(progress.keys).toBe(run.keys.length);
      expect(progress.errors).toBe(h.coverage.accounts.filter((a) => a.status === 'error').length);
      expect(await readdir(run.outDir)).toEqual(['results.json']);
    });
  });
});
