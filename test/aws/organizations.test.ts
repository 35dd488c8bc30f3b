/** The Organizations inventory against the simulator: every page, OU paths, streaming, few calls. */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { listInventory, parentFromPaths, type OrgAccount, type OrgCaller } from '../../src/aws/organizations.js';
import { generateScenario, startSimulator, type SimScenario } from '../../src/sim/index.js';

async function inventoryOf(scenario: SimScenario, needParents?: (id: string) => boolean, earlyStart = false, call: OrgCaller = (_operation, send) => send()) {
  const sim = await startSimulator({ scenario });
  const client = new OrganizationsClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: sim.baseCredentials, maxAttempts: 1 });
  const batches: OrgAccount[][] = [];
  try {
    const inventory = await listInventory(client, call, needParents, (accounts) => batches.push(accounts.map((a) => ({ ...a, ouIds: [...a.ouIds] }))), earlyStart);
    return { inventory, batches, calls: sim.stats().calls };
  } finally {
    client.destroy();
    await sim.stop();
  }
}

describe('Organizations inventory', () => {
  it('earlyStart: the first accounts are emitted before the OU walk ends, their paths filled in on the same objects', async () => {
    const s = generateScenario({ seed: 3, accounts: 65, regions: 1, keysPerRegion: 0 });
    // The OU walk is slow (each ListOrganizationalUnitsForParent answers 50 ms late); ListAccounts is not.
    const call: OrgCaller = async (operation, send) => {
      if (operation === 'organizations:ListOrganizationalUnitsForParent') await new Promise((resolve) => setTimeout(resolve, 50));
      return send();
    };
    const { inventory, batches } = await inventoryOf(s, undefined, true, call);
    // As emitted (copied at the time): the first page had no OU path yet.
    expect(batches[0]!.length).toBeGreaterThan(0);
    expect(batches[0]!.every((a) => a.ouPath === '' && a.ouIds.length === 0 && a.pathsKnown !== undefined)).toBe(true);
    // Once listInventory returns, every account has its path.
    for (const account of inventory.accounts) {
      const sim = s.accounts.find((a) => a.id === account.id)!;
      expect(account.ouIds.at(-1)).toBe(sim.parentId);
      expect(account.ouIds[0]).toBe(s.rootId);
    }
  });

  it('pages ListAccounts to the last page through empty pages, with State and OU paths', async () => {
    const s = generateScenario({ seed: 3, accounts: 65, regions: 1, keysPerRegion: 0 });
    const { inventory, batches, calls } = await inventoryOf(s);
    expect(inventory.accounts.map((a) => a.id).sort()).toEqual(s.accounts.map((a) => a.id).sort());
    // 65 accounts, 20 a page, every third page empty: 5 pages.
    expect(calls['organizations:ListAccounts']).toBe(5);
    expect(inventory).toMatchObject({ organizationId: s.organizationId, managementAccountId: s.managementAccountId });
    for (const account of inventory.accounts) {
      const sim = s.accounts.find((a) => a.id === account.id)!;
      expect(account.state).toBe(sim.omitState ? sim.status : sim.state);
      expect(account.ouIds.at(-1)).toBe(sim.parentId);
      expect(account.ouIds[0]).toBe(s.rootId);
      expect(account.ouPath.split('/')).toHaveLength(account.ouIds.length);
    }
    // With Paths, accounts stream out page by page (scanning starts before the listing ends).
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(inventory.accounts);
  });

  it('without Paths: parents from one ListAccountsForParent walk, emitted at the end', async () => {
    const s = generateScenario({ seed: 3, accounts: 65, regions: 1, keysPerRegion: 0, withPaths: false });
    const withPaths = await inventoryOf(generateScenario({ seed: 3, accounts: 65, regions: 1, keysPerRegion: 0 }));
    const { inventory, batches, calls } = await inventoryOf(s);
    const paths = (accounts: OrgAccount[]) => Object.fromEntries(accounts.map((a) => [a.id, [a.ouPath, a.ouIds.join('/')]]));
    expect(paths(inventory.accounts)).toEqual(paths(withPaths.inventory.accounts));
    expect(batches).toHaveLength(1);
    expect(calls['organizations:ListParents'] ?? 0).toBe(0);
    expect(calls['organizations:ListAccountsForParent']).toBeGreaterThan(0);
  });

  it('asks ListParents only for the accounts that need a path', async () => {
    const s = generateScenario({ seed: 3, accounts: 65, regions: 1, keysPerRegion: 0, withPaths: false });
    const wanted = new Set(s.accounts.slice(5, 8).map((a) => a.id));
    const { inventory, calls } = await inventoryOf(s, (id) => wanted.has(id));
    expect(calls['organizations:ListParents']).toBe(3);
    expect(calls['organizations:ListAccountsForParent'] ?? 0).toBe(0);
    for (const account of inventory.accounts.filter((a) => wanted.has(a.id))) {
      expect(account.ouIds.at(-1)).toBe(s.accounts.find((a) => a.id === account.id)!.parentId);
    }
  });

  it('reads the parent from a Paths entry', () => {
    expect(parentFromPaths(['o-abc/r-ab12/ou-ab12-11111111/ou-ab12-22222222/123456789012/'], '123456789012')).toBe('ou-ab12-22222222');
    expect(parentFromPaths(['o-abc/r-ab12/123456789012/'], '123456789012')).toBe('r-ab12');
    expect(parentFromPaths([], '123456789012')).toBeNull();
    expect(parentFromPaths(undefined, '123456789012')).toBeNull();
  });
});
