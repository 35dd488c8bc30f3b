/**
 * Issue 13 point 2: sessions that arrive already expired (this machine's clock ahead of AWS's by
 * more than the session lifetime). The simulator's clock runs two hours behind, so every
 * AssumeRole answers an Expiration in the scanner's past, while the simulator itself accepts the
 * session. Before the session owned the credential protocol, this scan livelocked (an AssumeRole
 * after another, outside the attempt budget); now each account ends as an error within its budget.
 */
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/sim/index.js';
import { scan, withSim } from './helpers.js';

const TWO_HOURS = 2 * 3600_000;

describe('a session already expired on arrival', () => {
  it('at concurrency 1: every member account is recorded as an error within its attempt budget, the scan ends', async () => {
    const scenario = generateScenario({ seed: 21, accounts: 4, regions: 2, keysPerRegion: 2 });
    await withSim({ scenario, now: () => Date.now() - TWO_HOURS }, async (sim) => {
      const maxAttempts = 4;
      const run = await scan(sim, { concurrency: 1, maxAttempts }, { accountParallelism: 1 });
      try {
        const header = run.outcome.header;
        const members = header.coverage.accounts.filter((a) => a.accountId !== scenario.managementAccountId && scenario.accounts.find((s) => s.id === a.accountId)!.roles.length > 0);
        expect(members.length).toBeGreaterThan(0);
        for (const account of members) {
          expect(account.status, account.accountId).toBe('error');
          expect(account.error).toMatchObject({ code: 'CredentialsExpiredOnArrival', operation: 'sts:AssumeRole' });
        }
        // The management account is reached with the base credentials (no expiry) and scanned.
        expect(header.coverage.accounts.find((a) => a.accountId === scenario.managementAccountId)!.status).toBe('scanned');
        expect(run.outcome.coverageComplete).toBe(false);
        expect(sim.stats().calls['sts:AssumeRole']).toBeLessThanOrEqual(members.length * maxAttempts);
      } finally {
        await rm(run.outDir, { recursive: true, force: true });
      }
    });
  }, 30_000);
});
