/**
 * Every fault the simulator injects, and after each the invariant: every key the simulator holds
 * in an in-scope account and region appears exactly once with the right status, or ERROR; coverage
 * is exact; nothing is left unhandled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyResult } from '../../src/core/results.js';
import { generateScenario, simScenario, type SimScenario } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim, type ExpectedKey } from './helpers.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const generated = (): SimScenario => generateScenario({ seed: 11, accounts: 8, regions: 3, keysPerRegion: 4 });

/** Accounts the generator leaves without the read role: their AssumeRole is denied. */
function noRoleAccounts(s: SimScenario): string[] {
  return s.accounts.filter((a) => a.roles.length === 0 && a.id !== s.managementAccountId && (a.state ?? a.status) === 'ACTIVE').map((a) => a.id);
}

function expectCoverageExact(s: SimScenario, run: { outcome: { header: { coverage: { accounts: { accountId: string; status: string; error: { code: string } | null }[]; regions: { accountId: string; region: string; status: string }[] } } } }): void {
  const { accounts, regions } = run.outcome.header.coverage;
  const active = s.accounts.filter((a) => (a.omitState || !a.state ? a.status : a.state) === 'ACTIVE');
  const denied = new Set(noRoleAccounts(s));
  expect(accounts.filter((a) => a.status === 'scanned').map((a) => a.accountId).sort()).toEqual(active.filter((a) => !denied.has(a.id)).map((a) => a.id).sort());
  expect(accounts.filter((a) => a.status === 'skipped').length).toBe(s.accounts.length - active.length);
  for (const a of accounts.filter((a) => a.status === 'error')) expect(a.error?.code).toBe('AccessDenied');
  // Each scanned account: every region enabled for it scanned, and every opt-in region it has not enabled named as such.
  for (const account of active.filter((a) => !denied.has(a.id))) {
    const enabled = s.regions.filter((r) => !r.optIn || account.optedInRegions.includes(r.name)).map((r) => r.name).sort();
    const disabled = s.regions.filter((r) => r.optIn && !account.optedInRegions.includes(r.name)).map((r) => r.name).sort();
    const mine = regions.filter((r) => r.accountId === account.id);
    expect(mine.filter((r) => r.status !== 'not_enabled').map((r) => r.region).sort()).toEqual(enabled);
    expect(mine.filter((r) => r.status === 'not_enabled').map((r) => r.region).sort()).toEqual(disabled);
  }
}

describe('faults', () => {
  it('no faults: exact coverage, accounts without the role recorded with AccessDenied', async () => {
    const s = generated();
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      expectCoverageExact(s, run);
      expect(noRoleAccounts(s).length).toBeGreaterThan(0);
      expect(run.outcome.coverageComplete).toBe(false);
      const denied = run.outcome.header.coverage.accounts.find((a) => a.status === 'error')!;
      expect(denied).toMatchObject({ access: 'none', error: { code: 'AccessDenied', operation: 'sts:AssumeRole' }, reason: expect.stringMatching(/^Could not assume arn:aws:iam::\d{12}:role\/KmsRotationAuditReader: AccessDenied\.$/) });
    });
  });

  it.each([
    ['a throttling storm', 'throttle'],
    ['HTTP 500', 'http-500'],
    ['HTTP 503', 'http-503'],
    ['dropped connections', 'drop-connection'],
  ] as const)('%s on every operation: retried, every key judged', async (_name, kind) => {
    const s = generated();
    await withSim({ scenario: s, faults: [{ operations: ['*'], kind, rate: 0.25 }], seed: 5 }, async (sim) => {
      const run = await scan(sim, { maxAttempts: 12 });
      expectInvariant(run.keys, expectedKeys(s));
      expectCoverageExact(s, run);
      const stats = run.outcome.header.extensions.scan as { retries: number; retriesExhausted: number };
      expect(stats.retries).toBeGreaterThan(10);
      expect(stats.retriesExhausted).toBe(0);
    });
  });

  it('a fault past the retry budget makes keys ERROR (never FAIL) and regions gaps, named by code', async () => {
    const s = generated();
    const victim = s.accounts.find((a) => a.keys.length > 0 && a.roles.length > 0 && a.id !== s.managementAccountId)!;
    const victimRegion = victim.keys[0]!.region;
    const otherKey = victim.keys.find((k) => k.region !== victimRegion)!;
    await withSim(
      {
        scenario: s,
        faults: [
          { accounts: [victim.id], regions: [victimRegion], operations: ['kms:ListKeys'], kind: 'throttle' },
          { accounts: [victim.id], keyIds: [otherKey.keyId], operations: ['kms:DescribeKey'], kind: 'http-503' },
        ],
      },
      async (sim) => {
        const run = await scan(sim, { maxAttempts: 3 });
        const expected = expectedKeys(s).filter((k) => !(k.accountId === victim.id && k.region === victimRegion));
        expectInvariant(run.keys, expected, (k) => k.keyId === otherKey.keyId && k.accountId === victim.id);
        const region = run.outcome.header.coverage.regions.find((r) => r.accountId === victim.id && r.region === victimRegion)!;
        expect(region).toMatchObject({ status: 'error', keyCount: null, error: { code: 'ThrottlingException', operation: 'kms:ListKeys' }, reason: 'Keys could not be listed: kms:ListKeys failed with ThrottlingException.' });
        const errored = run.keys.filter((k) => k.status === 'ERROR');
        expect(errored.map((k) => k.keyId)).toEqual([otherKey.keyId]);
        expect(errored[0]).toMatchObject({ error: { code: 'ServiceUnavailableException', operation: 'kms:DescribeKey' }, reason: 'Could not check: kms:DescribeKey failed with ServiceUnavailableException.' });
        expect(run.outcome.coverageComplete).toBe(false);
        expect(run.outcome.header.extensions.scan).toMatchObject({ gaps: { regions: 1, errorKeys: 1 } });
        expect(sim.stats().calls['kms:DescribeKey']).toBeGreaterThan(0);
      },
    );
  });

  it('AccessDenied on AssumeRole for one account: recorded with code and message, the scan goes on', async () => {
    const s = generated();
    const target = s.accounts.find((a) => a.roles.length > 0 && a.id !== s.managementAccountId && a.state === 'ACTIVE')!;
    await withSim({ scenario: s, faults: [{ operations: ['sts:AssumeRole'], targetAccounts: [target.id], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim);
      const denied = new Set([...noRoleAccounts(s), target.id]);
      expectInvariant(run.keys, expectedKeys(s).filter((k) => !denied.has(k.accountId)));
      const coverage = run.outcome.header.coverage.accounts.find((a) => a.accountId === target.id)!;
      expect(coverage).toMatchObject({ status: 'error', roleArn: `arn:aws:iam::${target.id}:role/KmsRotationAuditReader`, error: { code: 'AccessDenied', operation: 'sts:AssumeRole' } });
      expect(coverage.error!.message).toContain('not authorized');
      expect(run.outcome.header.coverage.regions.some((r) => r.accountId === target.id)).toBe(false);
    });
  });

  it('AccessDenied on single KMS operations: verdict calls make the key ERROR; evidence calls (ListKeyRotations, ListAliases) are recorded gaps that never change the status', async () => {
    const k = (keyId: string, extra: object = {}) => ({ keyId, region: 'eu-west-1', aliases: [`alias/${keyId}`], ...extra });
    const s = simScenario({
      accounts: [
        { id: '111111111111' },
        { id: '222222222222', keys: [k('denied-status'), k('denied-history', { rotation: { enabled: true, periodDays: 365 } }), k('denied-describe'), k('fine', { rotation: { enabled: true, periodDays: 365 } })] },
        { id: '333333333333', keys: [k('aliases-denied-key')] },
      ],
    });
    await withSim(
      {
        scenario: s,
        faults: [
          { keyIds: ['denied-status'], operations: ['kms:GetKeyRotationStatus'], kind: 'access-denied' },
          { keyIds: ['denied-history'], operations: ['kms:ListKeyRotations'], kind: 'access-denied' },
          { keyIds: ['denied-describe'], operations: ['kms:DescribeKey'], kind: 'access-denied' },
          { accounts: ['333333333333'], operations: ['kms:ListAliases'], kind: 'access-denied' },
        ],
      },
      async (sim) => {
        const run = await scan(sim);
        expectInvariant(run.keys, expectedKeys(s), (e) => e.keyId === 'denied-status' || e.keyId === 'denied-describe');
        const get = (id: string): KeyResult => run.keys.find((key) => key.keyId === id)!;
        expect(get('denied-status')).toMatchObject({ status: 'ERROR', error: { code: 'AccessDeniedException', operation: 'kms:GetKeyRotationStatus' }, rotationEnabled: null });
        // ListKeyRotations is evidence of past rotations; the verdict is GetKeyRotationStatus's.
        expect(get('denied-history')).toMatchObject({
          status: 'PASS',
          error: null,
          rotationEnabled: true,
          lastRotationDate: null,
          evidenceGaps: [{ evidence: 'rotation-history', error: { code: 'AccessDeniedException', operation: 'kms:ListKeyRotations' } }],
        });
        expect(get('denied-history').reason).toContain('rotation history not available (kms:ListKeyRotations failed with AccessDeniedException)');
        expect(get('denied-describe')).toMatchObject({ status: 'ERROR', error: { code: 'AccessDeniedException', operation: 'kms:DescribeKey' }, keyManager: null, aliases: ['alias/denied-describe'] });
        expect(get('fine')).toMatchObject({ status: 'PASS' });
        expect(get('aliases-denied-key')).toMatchObject({ status: 'FAIL', aliases: [], evidenceGaps: [{ evidence: 'aliases', error: { code: 'AccessDeniedException', operation: 'kms:ListAliases' } }] });
        expect(get('fine').evidenceGaps).toEqual([]);
        const region = run.outcome.header.coverage.regions.find((r) => r.accountId === '333333333333' && r.region === 'eu-west-1')!;
        expect(region).toMatchObject({ status: 'scanned', keyCount: 1, error: { code: 'AccessDeniedException', operation: 'kms:ListAliases' } });
        expect(run.outcome.header.coverage.regions.find((r) => r.accountId === '222222222222' && r.region === 'eu-west-1')).toMatchObject({ status: 'scanned', keyCount: 4, keyErrors: 2 });
        expect(run.outcome.counts).toMatchObject({ ERROR: 2, FAIL: 1, PASS: 2 });
      },
    );
  });

  it('regions not enabled: requested opt-in regions are not_enabled, and a KMS answer of UnrecognizedClientException is too', async () => {
    const s = simScenario({
      regions: ['us-east-1', 'eu-west-1', 'af-south-1'],
      accounts: [
        { id: '111111111111', optedInRegions: ['af-south-1'], keys: [{ region: 'af-south-1', keyId: 'k-af' }] },
        { id: '222222222222', keys: [{ region: 'eu-west-1', keyId: 'k-eu' }] },
        { id: '333333333333', keys: [{ region: 'eu-west-1', keyId: 'k-eu3' }] },
      ],
    });
    // Account 3 may not call DescribeRegions: the requested regions are scanned directly.
    await withSim({ scenario: s, faults: [{ accounts: ['333333333333'], operations: ['ec2:DescribeRegions'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { regions: ['af-south-1', 'eu-west-1'] });
      expectInvariant(run.keys, expectedKeys(s, { regions: ['af-south-1', 'eu-west-1'] }));
      const cov = (id: string, region: string) => run.outcome.header.coverage.regions.find((r) => r.accountId === id && r.region === region);
      expect(cov('111111111111', 'af-south-1')).toMatchObject({ status: 'scanned', keyCount: 1 });
      expect(cov('222222222222', 'af-south-1')).toMatchObject({ status: 'not_enabled', error: null, reason: expect.stringMatching(/^Opt-in region not enabled for this account \(EC2 DescribeRegions\): not accessible to the scan\./) });
      expect(cov('333333333333', 'af-south-1')).toMatchObject({ status: 'not_enabled', error: { code: 'UnrecognizedClientException', operation: 'kms:ListKeys' } });
      expect(cov('333333333333', 'eu-west-1')).toMatchObject({ status: 'scanned', keyCount: 1 });
      expect(run.outcome.header.coverage.accounts.find((a) => a.accountId === '333333333333')).toMatchObject({ status: 'scanned', error: { code: 'UnauthorizedOperation', operation: 'ec2:DescribeRegions' } });
      expect(run.outcome.coverageComplete).toBe(true);
      // Without a region list, the account is still scanned over the regions the caller's own
      // DescribeRegions lists; coverage says the list was inferred and names the denied call.
      const all = await scan(sim, { regions: 'all' });
      expectInvariant(all.keys, expectedKeys(s));
      expect(all.outcome.header.coverage.accounts.find((a) => a.accountId === '333333333333')).toMatchObject({
        status: 'scanned',
        error: { code: 'UnauthorizedOperation', operation: 'ec2:DescribeRegions' },
        reason: expect.stringMatching(/^Region list inferred: ec2:DescribeRegions failed with UnauthorizedOperation in this account; scanned the 3 regions/),
      });
      const all3 = all.outcome.header.coverage.regions.filter((r) => r.accountId === '333333333333').map((r) => [r.region, r.status]);
      expect(all3).toEqual(expect.arrayContaining([['af-south-1', 'not_enabled'], ['eu-west-1', 'scanned'], ['us-east-1', 'scanned']]));
      expect(all3).toHaveLength(3);
      expect(all.outcome.coverageComplete).toBe(true);
    });
  });

  it('credentials expiring mid-scan: sessions refresh and the scan finishes', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => ({ region: 'eu-west-1', keyId: `k-${i}`, rotation: { enabled: i % 2 === 0, periodDays: 365 } }));
    const s = simScenario({ accounts: [{ id: '111111111111' }, { id: '222222222222', keys }, { id: '333333333333', keys: keys.map((k) => ({ ...k, region: 'us-east-1' })) }] });
    // Sessions live 1 s; each request takes 40 ms, one at a time: an account needs far longer than its session.
    await withSim({ scenario: s, maxCredentialLifetimeSeconds: 1, latency: { default: 40 } }, async (sim) => {
      const run = await scan(sim, { concurrency: 1 }, { accountParallelism: 1 });
      expectInvariant(run.keys, expectedKeys(s));
      expect(run.outcome.coverageComplete).toBe(true);
      const started = Date.parse(run.outcome.header.startedAt);
      expect(Date.parse(run.outcome.header.finishedAt) - started).toBeGreaterThan(2500);
      // More AssumeRole calls than member accounts: the sessions were refreshed, before they lapsed.
      expect(sim.stats().calls['sts:AssumeRole']).toBeGreaterThan(3);
      expect(sim.stats().authFailures).toBe(0);
    });
  });

  it('credentials expiring while many requests queue for few slots: no deadlock, nothing signed with lapsed credentials', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => ({ region: 'eu-west-1', keyId: `k-${i}`, rotation: { enabled: true, periodDays: 365 } }));
    const accounts = [{ id: '111111111111' }, ...['2', '3', '4', '5'].map((d) => ({ id: d.repeat(12), keys }))];
    const s = simScenario({ accounts });
    await withSim({ scenario: s, maxCredentialLifetimeSeconds: 1, latency: { default: 15, jitterMs: 10 } }, async (sim) => {
      const run = await scan(sim, { concurrency: 3 }, { accountParallelism: 4 });
      expectInvariant(run.keys, expectedKeys(s));
      expect(run.outcome.counts.PASS).toBe(160);
      expect(sim.stats().authFailures).toBe(0);
      expect(sim.stats().maxInFlight).toBeLessThanOrEqual(3);
    });
  });

  it('expired-token answers: the session is refreshed and the call retried', async () => {
    const s = generated();
    await withSim({ scenario: s, faults: [{ operations: ['kms:DescribeKey', 'kms:ListKeys'], kind: 'expired-token', rate: 0.3 }], seed: 3 }, async (sim) => {
      const run = await scan(sim, { maxAttempts: 12 });
      expectInvariant(run.keys, expectedKeys(s));
      expect((run.outcome.header.extensions.scan as { retriesByClass: Record<string, number> }).retriesByClass['expired-credentials']).toBeGreaterThan(0);
    });
  });

  it('a key deleted between ListKeys and DescribeKey: still reported, as ERROR "deleted during the scan"', async () => {
    const s = generated();
    const account = s.accounts.find((a) => a.keys.length > 0 && a.roles.length > 0 && a.id !== s.managementAccountId)!;
    const doomed = account.keys.find((k) => k.keyManager === 'CUSTOMER')!;
    const expected: ExpectedKey[] = expectedKeys(s);
    await withSim({ scenario: s, faults: [{ accounts: [account.id], regions: [doomed.region], keyIds: [doomed.keyId], kind: 'delete-key' }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expected, (k) => k.keyId === doomed.keyId && k.accountId === account.id && k.region === doomed.region);
      const key = run.keys.find((k) => k.keyId === doomed.keyId && k.accountId === account.id && k.region === doomed.region)!;
      expect(key).toMatchObject({ status: 'ERROR', error: { code: 'NotFoundException', operation: 'kms:DescribeKey' }, reason: 'Could not check: the key was deleted during the scan (kms:DescribeKey answered NotFoundException).' });
    });
  });
});
