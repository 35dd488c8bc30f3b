/**
 * Which accounts a scan covers and how it reaches them: account and OU filters (before any role
 * is assumed), account states, OU paths with and without `Paths`, role ARN templates, external
 * id, --no-organizations, shards, and the failures that stop a scan before it starts.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { IncompleteError, UsageError } from '../../src/core/errors.js';
import { exitOf } from '../../src/cli/exit-codes.js';
import { generateScenario, simScenario, type SimScenario } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim } from './helpers.js';

const generated = (withPaths = true, extra: { externalId?: string } = {}): SimScenario => generateScenario({ seed: 21, accounts: 24, regions: 2, keysPerRegion: 2, withPaths, ...extra });

function ouChain(s: SimScenario, parentId: string): string[] {
  const chain: string[] = [];
  let id: string | undefined = parentId;
  while (id) {
    chain.unshift(id);
    id = s.ous.find((ou) => ou.id === id)?.parentId;
  }
  return chain;
}

const members = (s: SimScenario) => s.accounts.filter((a) => a.id !== s.managementAccountId && a.state === 'ACTIVE' && !a.omitState && a.roles.length > 0);

describe('account filters', () => {
  it('--accounts: only those are reached; an id outside the organization is a coverage error', async () => {
    const s = generated();
    const [a, b] = members(s);
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { accounts: [a!.id, b!.id, '999999999999'] });
      expectInvariant(run.keys, expectedKeys(s, { accounts: [a!.id, b!.id] }));
      expect(sim.stats().calls['sts:AssumeRole']).toBe(2);
      const unknown = run.outcome.header.coverage.accounts.find((c) => c.accountId === '999999999999');
      expect(unknown).toMatchObject({ status: 'error', access: 'none', reason: 'Not in the organization.', error: { code: 'AccountNotInOrganization', operation: 'organizations:ListAccounts' } });
      expect(run.outcome.header.coverage.accounts).toHaveLength(3);
      expect(run.outcome.coverageComplete).toBe(false);
    });
  });

  it('--exclude-accounts removes accounts before any role is assumed', async () => {
    const s = generated();
    const excluded = members(s).slice(0, 3).map((a) => a.id);
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { excludeAccounts: excluded });
      expect(run.keys.some((k) => excluded.includes(k.accountId))).toBe(false);
      expect(run.outcome.header.coverage.accounts.some((c) => excluded.includes(c.accountId))).toBe(false);
      const all = expectedKeys(s).filter((k) => !excluded.includes(k.accountId));
      expectInvariant(run.keys, all);
    });
  });

  it('--ous: accounts anywhere below the OUs, with their OU path', async () => {
    const s = generated();
    const workloads = s.ous.find((ou) => ou.name === 'Workloads')!;
    const security = s.ous.find((ou) => ou.name === 'Security')!;
    const below = s.accounts.filter((a) => ouChain(s, a.parentId).some((id) => id === workloads.id || id === security.id));
    expect(below.some((a) => a.parentId !== workloads.id)).toBe(true); // nested deeper than the OU itself
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { ous: [workloads.id, security.id] });
      const ids = new Set(run.outcome.header.coverage.accounts.map((c) => c.accountId));
      expect([...ids].sort()).toEqual(below.map((a) => a.id).sort());
      expectInvariant(run.keys, expectedKeys(s, { accounts: below.map((a) => a.id) }));
      for (const key of run.keys) {
        expect(key.ouPath).toMatch(/^Root\/(Workloads|Security)(\/|$)/);
        expect(key.ouIds[0]).toBe(s.rootId);
      }
    });
  });

  it('accounts not ACTIVE are skipped with their state; State falls back to Status', async () => {
    const s = simScenario({
      accounts: [
        { id: '111111111111' },
        { id: '222222222222', state: 'SUSPENDED', keys: [{ region: 'eu-west-1' }] },
        { id: '333333333333', state: 'CLOSED', status: 'SUSPENDED' },
        { id: '444444444444', state: undefined, omitState: true, status: 'ACTIVE', keys: [{ region: 'eu-west-1', keyId: 'legacy-key' }] },
        { id: '555555555555', omitState: true, state: 'ACTIVE', status: 'PENDING_CLOSURE' },
      ],
    });
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim);
      const cov = Object.fromEntries(run.outcome.header.coverage.accounts.map((c) => [c.accountId, [c.status, c.state]]));
      expect(cov).toEqual({
        '111111111111': ['scanned', 'ACTIVE'],
        '222222222222': ['skipped', 'SUSPENDED'],
        '333333333333': ['skipped', 'CLOSED'],
        '444444444444': ['scanned', 'ACTIVE'],
        '555555555555': ['skipped', 'PENDING_CLOSURE'],
      });
      expect(run.keys.map((k) => k.keyId)).toEqual(['legacy-key']);
      expect(run.outcome.header.coverage.accounts.find((c) => c.accountId === '222222222222')!.reason).toBe('Account state SUSPENDED: only ACTIVE accounts are scanned.');
      expect(run.outcome.coverageComplete).toBe(true);
      // In scope: every account selected, whatever its state (src/report/coverage.ts IN_SCOPE_DEFINITION).
      expect(run.outcome.header.summary.accountsInScope).toBe(5);
      // Skipped accounts are never entered.
      expect(sim.stats().calls['sts:AssumeRole']).toBe(1);
    });
  });
});

describe('OU paths', () => {
  it('are the same with and without the Paths field, and cost few Organizations calls', async () => {
    const withPaths = generated(true);
    const without = generated(false);
    const paths = async (s: SimScenario, accounts: string[] | null = null) =>
      withSim({ scenario: s }, async (sim) => {
        const run = await scan(sim, { accounts, regions: ['us-east-1'] });
        return { coverage: run.outcome.header.coverage.accounts.map((c) => [c.accountId, c.ouPath, c.ouIds.join('/')]), calls: sim.stats().calls };
      });
    const a = await paths(withPaths);
    const b = await paths(without);
    expect(b.coverage).toEqual(a.coverage);
    for (const [id, path, ids] of a.coverage) {
      const account = withPaths.accounts.find((x) => x.id === id)!;
      expect(ids).toBe(ouChain(withPaths, account.parentId).join('/'));
      expect(path).toMatch(/^Root(\/|$)/);
    }
    // With Paths: no per-account parent lookups at all; without: one ListAccountsForParent walk, never per account.
    expect(a.calls['organizations:ListParents'] ?? 0).toBe(0);
    expect(a.calls['organizations:ListAccountsForParent'] ?? 0).toBe(0);
    expect(b.calls['organizations:ListParents'] ?? 0).toBe(0);
    expect(b.calls['organizations:ListAccountsForParent']).toBeGreaterThan(0);
    expect(b.calls['organizations:ListAccountsForParent']).toBeLessThan(withPaths.accounts.length);
    // A scan of two accounts without Paths asks for those two parents only.
    const two = without.accounts.slice(1, 3).map((x) => x.id);
    const c = await paths(without, two);
    expect(c.calls['organizations:ListParents']).toBe(2);
    expect(c.calls['organizations:ListAccountsForParent'] ?? 0).toBe(0);
    expect(c.coverage).toEqual(a.coverage.filter(([id]) => two.includes(id!)));
  });
});

describe('reaching member accounts', () => {
  it('--role-arn-template with a path; the default role name then fails with AccessDenied', async () => {
    const s = simScenario({
      accounts: [{ id: '111111111111' }, { id: '222222222222', roles: [{ name: 'Reader', path: '/security/audit/' }], keys: [{ region: 'eu-west-1', keyId: 'k1' }] }],
    });
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { roleArnTemplate: 'arn:${partition}:iam::${accountId}:role/security/audit/Reader' });
      expectInvariant(run.keys, expectedKeys(s));
      expect(run.outcome.header.coverage.accounts.find((c) => c.accountId === '222222222222')).toMatchObject({ status: 'scanned', access: 'assumed-role', roleArn: 'arn:aws:iam::222222222222:role/security/audit/Reader' });
      expect(run.outcome.header.parameters).toMatchObject({ roleName: null, roleArnTemplate: 'arn:${partition}:iam::${accountId}:role/security/audit/Reader' });
      const plain = await scan(sim);
      expect(plain.outcome.header.coverage.accounts.find((c) => c.accountId === '222222222222')).toMatchObject({ status: 'error', error: { code: 'AccessDenied' } });
    });
  });

  it('an unknown placeholder is a UsageError before any AWS call', async () => {
    const s = simScenario({ accounts: [{ id: '111111111111' }] });
    await withSim({ scenario: s }, async (sim) => {
      await expect(scan(sim, { roleArnTemplate: 'arn:${partition}:iam::${account_id}:role/R' })).rejects.toThrow(UsageError);
      expect(sim.stats().calls).toEqual({});
    });
  });

  it('--external-id is passed to AssumeRole and never written out', async () => {
    const secret = 'ext-Secret-4242';
    const s = generated(true, { externalId: secret });
    await withSim({ scenario: s }, async (sim) => {
      const denied = await scan(sim);
      expect(denied.outcome.header.coverage.accounts.filter((c) => c.status === 'error').length).toBeGreaterThanOrEqual(members(s).length);
      const run = await scan(sim, { externalId: secret });
      expectInvariant(run.keys, expectedKeys(s));
      expect(run.outcome.header.parameters.externalIdSet).toBe(true);
      const text = await readFile(run.outcome.resultsPath, 'utf8');
      expect(text).not.toContain(secret);
      expect(JSON.stringify(run.logger.records)).not.toContain(secret);
    });
  });

  it('--no-organizations scans exactly the accounts given, without calling Organizations', async () => {
    const s = generated();
    const [a, b] = members(s);
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { useOrganizations: false, accounts: [a!.id, s.managementAccountId, b!.id, '999999999999'] });
      expect(Object.keys(sim.stats().calls).some((op) => op.startsWith('organizations:'))).toBe(false);
      expectInvariant(run.keys, expectedKeys(s, { accounts: [a!.id, b!.id, s.managementAccountId] }));
      expect(run.keys.every((k) => k.ouPath === null && k.accountName === null)).toBe(true);
      const cov = run.outcome.header.coverage.accounts;
      expect(cov.map((c) => [c.accountId, c.status, c.access])).toEqual(
        [
          [a!.id, 'scanned', 'assumed-role'],
          [b!.id, 'scanned', 'assumed-role'],
          [s.managementAccountId, 'scanned', 'base-credentials'],
          ['999999999999', 'error', 'none'],
        ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
      );
      expect(run.outcome.header.organizationId).toBeNull();
    });
  });

  it('--no-organizations without --accounts is a UsageError before any AWS call', async () => {
    const s = simScenario({ accounts: [{ id: '111111111111' }] });
    await withSim({ scenario: s }, async (sim) => {
      await expect(scan(sim, { useOrganizations: false })).rejects.toThrow(/--no-organizations needs --accounts/);
      expect(sim.stats().calls).toEqual({});
    });
  });

  it('bad base credentials are a UsageError naming the failing call', async () => {
    const s = simScenario({ accounts: [{ id: '111111111111' }] });
    await withSim({ scenario: s }, async (sim) => {
      const err = await scan(sim, {}, { credentials: async () => ({ accessKeyId: 'AKIANOPE', secretAccessKey: 'nope' }) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/^AWS credentials: sts:GetCallerIdentity failed with InvalidClientTokenId/);
    });
  });

  it('a caller that may not list the organization gets exit status 2 with a way out', async () => {
    const s = simScenario({ accounts: [{ id: '111111111111' }] });
    await withSim({ scenario: s, faults: [{ operations: ['organizations:ListAccounts'], kind: 'access-denied' }] }, async (sim) => {
      const err = await scan(sim).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncompleteError);
      expect(exitOf(err).code).toBe(2);
      expect((err as Error).message).toMatch(/organizations:ListAccounts failed with AccessDeniedException.*--no-organizations with --accounts/);
    });
  });
});

describe('shards', () => {
  it('partition the accounts stably: the shards together are the whole scan, each marked a part', async () => {
    const s = generated();
    await withSim({ scenario: s }, async (sim) => {
      const whole = await scan(sim);
      const parts = [await scan(sim, { shard: { index: 0, count: 2 } }), await scan(sim, { shard: { index: 1, count: 2 } })];
      const ids = (run: typeof whole) => run.outcome.header.coverage.accounts.map((c) => c.accountId);
      expect(ids(parts[0]!).filter((id) => ids(parts[1]!).includes(id))).toEqual([]);
      expect([...ids(parts[0]!), ...ids(parts[1]!)].sort()).toEqual(ids(whole));
      expect([...parts[0]!.keys, ...parts[1]!.keys].map((k) => `${k.accountId}|${k.region}|${k.keyId}`).sort()).toEqual(whole.keys.map((k) => `${k.accountId}|${k.region}|${k.keyId}`).sort());
      expect(parts.map((p) => p.outcome.header.complete)).toEqual([false, false]);
      expect(whole.outcome.header.complete).toBe(true);
      await expect(scan(sim, { shard: { index: 2, count: 2 } })).rejects.toThrow(UsageError);
    });
  });
});
