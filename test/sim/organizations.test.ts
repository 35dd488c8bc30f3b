import {
  AccessDeniedException,
  ChildNotFoundException,
  DescribeOrganizationCommand,
  InvalidInputException,
  ListChildrenCommand,
  ListAccountsCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  paginateListOrganizationalUnitsForParent,
  ParentNotFoundException,
  type Account,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, startSimulator, type Simulator } from '../../src/sim/index.js';
import { failure, orgClient } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: generateScenario({ seed: 7, accounts: 130, regions: 2, keysPerRegion: 0 }) });
});
afterAll(() => sim.stop());

describe('ListAccounts', () => {
  it('pages 20 at a time with empty pages that still carry a NextToken, to the last page', async () => {
    const c = orgClient(sim);
    const pages: number[] = [];
    const accounts: Account[] = [];
    let token: string | undefined;
    do {
      const out = await c.send(new ListAccountsCommand({ NextToken: token }));
      pages.push(out.Accounts?.length ?? 0);
      accounts.push(...(out.Accounts ?? []));
      token = out.NextToken;
    } while (token);
    expect(pages).toContain(0);
    expect(pages.every((n) => n <= 20)).toBe(true);
    expect(pages.indexOf(0)).toBeLessThan(pages.length - 1);
    expect(accounts.map((a) => a.Id)).toEqual(sim.scenario.accounts.map((a) => a.id));
  });

  it('lists every account through the SDK paginator', async () => {
    const ids: string[] = [];
    for await (const page of paginateListAccounts({ client: orgClient(sim), pageSize: 7 }, {})) ids.push(...(page.Accounts ?? []).map((a) => a.Id!));
    expect(ids).toHaveLength(130);
  });

  it('returns State and Status, Paths, joined fields; legacy accounts carry Status only', async () => {
    const all: Account[] = [];
    for await (const page of paginateListAccounts({ client: orgClient(sim) }, {})) all.push(...(page.Accounts ?? []));
    const s = sim.scenario;
    const mgmt = all.find((a) => a.Id === s.managementAccountId)!;
    expect(mgmt).toMatchObject({ State: 'ACTIVE', Status: 'ACTIVE', Name: 'management', JoinedMethod: 'CREATED', Arn: `arn:aws:organizations::${s.managementAccountId}:account/${s.organizationId}/${s.managementAccountId}` });
    expect(mgmt.JoinedTimestamp).toBeInstanceOf(Date);
    expect(mgmt.Paths).toEqual([`${s.organizationId}/${s.rootId}/${s.managementAccountId}/`]);
    const legacy = all.filter((a) => a.State === undefined);
    expect(legacy).toHaveLength(1);
    expect(legacy[0]!.Status).toBe('ACTIVE');
    expect(new Set(all.map((a) => a.State))).toEqual(new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', undefined]));
    const deep = all.find((a) => (a.Paths?.[0]?.split('/').length ?? 0) >= 6);
    expect(deep, 'an account three OUs deep').toBeDefined();
  });

  it('rejects MaxResults above 20 with InvalidInputException', async () => {
    const err = await failure(orgClient(sim).send(new ListAccountsCommand({ MaxResults: 21 })));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect((err as InvalidInputException).Reason).toBe('MAX_VALUE_EXCEEDED');
    expect(await failure(orgClient(sim).send(new ListAccountsCommand({ NextToken: 'garbage' })))).toBeInstanceOf(InvalidInputException);
  });
});

describe('the OU tree', () => {
  it('walks root → OUs → accounts with paginators and finds every account once', async () => {
    const c = orgClient(sim);
    const roots = await c.send(new ListRootsCommand({}));
    expect(roots.Roots).toEqual([expect.objectContaining({ Id: sim.scenario.rootId, Name: 'Root' })]);
    const found: string[] = [];
    const walk = async (parentId: string, depth: number): Promise<number> => {
      let maxDepth = depth;
      for await (const page of paginateListAccountsForParent({ client: c, pageSize: 3 }, { ParentId: parentId })) found.push(...(page.Accounts ?? []).map((a) => a.Id!));
      for await (const page of paginateListOrganizationalUnitsForParent({ client: c, pageSize: 2 }, { ParentId: parentId })) {
        for (const ou of page.OrganizationalUnits ?? []) {
          expect(ou.Path).toMatch(new RegExp(`^${sim.scenario.organizationId}/${sim.scenario.rootId}/(ou-[a-z0-9-]+/)+$`));
          maxDepth = Math.max(maxDepth, await walk(ou.Id!, depth + 1));
        }
      }
      return maxDepth;
    };
    const depth = await walk(sim.scenario.rootId, 0);
    expect(depth).toBe(3);
    expect(found.sort()).toEqual(sim.scenario.accounts.map((a) => a.id).sort());
  });

  it('lists children by type and parents of accounts and OUs', async () => {
    const c = orgClient(sim);
    const ous: string[] = [];
    for await (const page of paginateListChildren({ client: c }, { ParentId: sim.scenario.rootId, ChildType: 'ORGANIZATIONAL_UNIT' })) ous.push(...(page.Children ?? []).map((ch) => ch.Id!));
    expect(ous).toHaveLength(5);
    const member = sim.scenario.accounts[3]!;
    const parents = await c.send(new ListParentsCommand({ ChildId: member.id }));
    expect(parents.Parents).toEqual([{ Id: member.parentId, Type: member.parentId.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }]);
    expect(await failure(c.send(new ListParentsCommand({ ChildId: '000000000000' })))).toBeInstanceOf(ChildNotFoundException);
    expect(await failure(c.send(new ListChildrenCommand({ ParentId: 'ou-none-00000000', ChildType: 'ACCOUNT' })))).toBeInstanceOf(ParentNotFoundException);
  });

  it('lists account tags', async () => {
    const tagged = sim.scenario.accounts.find((a) => a.tags)!;
    const out = await orgClient(sim).send(new ListTagsForResourceCommand({ ResourceId: tagged.id }));
    expect(out.Tags).toEqual(Object.entries(tagged.tags!).map(([Key, Value]) => ({ Key, Value })));
  });
});

describe('who may call Organizations', () => {
  it('answers AccessDeniedException to a member account, but lets it describe the organization', async () => {
    const member = orgClient(sim, { credentials: sim.credentialsFor(sim.scenario.accounts[5]!.id) });
    const err = await failure(member.send(new ListAccountsCommand({})));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const org = await member.send(new DescribeOrganizationCommand({}));
    expect(org.Organization).toMatchObject({ Id: sim.scenario.organizationId, MasterAccountId: sim.scenario.managementAccountId, FeatureSet: 'ALL' });
  });
});
