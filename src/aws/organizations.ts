/**
 * The organization's inventory: accounts with their state and OU path, with as few Organizations
 * calls as possible (its quota is low and unverified, aws-facts.md):
 * DescribeOrganization, ListAccounts to the last page, ListRoots, then the OU tree once
 * (ListOrganizationalUnitsForParent from the root down, for OU names). Each account's parent
 * comes from its `Paths` field when present (2026), else from ListParents per account or
 * ListAccountsForParent per OU, whichever takes fewer calls.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { collectPages } from './paging.js';

/** Runs one Organizations call under the throttle (operation `organizations:<Name>`). */
export type OrgCaller = <T>(operation: string, send: () => Promise<T>) => Promise<T>;

export interface OrgAccount {
  id: string;
  name: string | null;
  /** `State`, falling back to the retiring `Status`. */
  state: string | null;
  /** Root and OU ids from the root down to the account's parent. */
  ouIds: string[];
  /** OU names from the root down, e.g. `Root/Workloads/Prod`. */
  ouPath: string;
}

export interface Inventory {
  organizationId: string | null;
  managementAccountId: string | null;
  accounts: OrgAccount[];
}

interface OuNode {
  id: string;
  name: string;
  parentId: string | null;
}

/** ListAccounts, ListAccountsForParent, ListParents... all accept MaxResults 1..20. */
const MAX_RESULTS = 20;

export async function describeOrganization(client: OrganizationsClient, call: OrgCaller): Promise<{ organizationId: string | null; managementAccountId: string | null }> {
  const out = await call('organizations:DescribeOrganization', () => client.send(new DescribeOrganizationCommand({})));
  return { organizationId: out.Organization?.Id ?? null, managementAccountId: out.Organization?.MasterAccountId ?? null };
}

/**
 * Lists every account and resolves OU paths. `needParents(accountId)` says which accounts need an
 * OU path (the others get the root only): account id filters are applied before this, so a scan of
 * three accounts does not walk parents for three thousand.
 */
export async function listInventory(client: OrganizationsClient, call: OrgCaller, needParents: (accountId: string) => boolean = () => true): Promise<Inventory> {
  const org = await describeOrganization(client, call);
  const accounts = await collectPages<Account>(async (token) => {
    const out = await call('organizations:ListAccounts', () => client.send(new ListAccountsCommand({ NextToken: token, MaxResults: MAX_RESULTS })));
    return { items: out.Accounts, next: out.NextToken };
  });
  const tree = await walkOuTree(client, call);

  const parentOf = new Map<string, string>();
  const missing: string[] = [];
  for (const account of accounts) {
    if (!account.Id || !needParents(account.Id)) continue;
    const fromPaths = parentFromPaths(account.Paths, account.Id);
    if (fromPaths) parentOf.set(account.Id, fromPaths);
    else missing.push(account.Id);
  }
  if (missing.length > 0) await resolveParents(client, call, missing, [...tree.keys()], parentOf);

  const root = [...tree.values()].find((node) => node.parentId === null) ?? null;
  return {
    ...org,
    accounts: accounts
      .filter((account): account is Account & { Id: string } => typeof account.Id === 'string')
      .map((account) => {
        const chain = chainOf(parentOf.get(account.Id) ?? root?.id ?? null, tree);
        return {
          id: account.Id,
          name: account.Name ?? null,
          state: account.State ?? account.Status ?? null,
          ouIds: chain.map((node) => node.id),
          ouPath: chain.map((node) => node.name).join('/'),
        };
      }),
  };
}

async function walkOuTree(client: OrganizationsClient, call: OrgCaller): Promise<Map<string, OuNode>> {
  const roots = await call('organizations:ListRoots', () => client.send(new ListRootsCommand({})));
  const tree = new Map<string, OuNode>();
  let level: string[] = [];
  for (const root of roots.Roots ?? []) {
    if (!root.Id) continue;
    tree.set(root.Id, { id: root.Id, name: root.Name ?? 'Root', parentId: null });
    level.push(root.Id);
  }
  // Breadth first, one level at a time, the parents of a level in parallel (the throttle spaces them).
  while (level.length > 0) {
    const children = await Promise.all(
      level.map(async (parentId) => {
        const ous = await collectPages(async (token) => {
          const out = await call('organizations:ListOrganizationalUnitsForParent', () =>
            client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token, MaxResults: MAX_RESULTS })),
          );
          return { items: out.OrganizationalUnits, next: out.NextToken };
        });
        return ous.flatMap((ou) => (ou.Id ? [{ id: ou.Id, name: ou.Name ?? ou.Id, parentId }] : []));
      }),
    );
    level = [];
    for (const node of children.flat()) {
      if (tree.has(node.id)) continue;
      tree.set(node.id, node);
      level.push(node.id);
    }
  }
  return tree;
}

async function resolveParents(client: OrganizationsClient, call: OrgCaller, accountIds: string[], parentIds: string[], parentOf: Map<string, string>): Promise<void> {
  if (accountIds.length <= parentIds.length) {
    await Promise.all(
      accountIds.map(async (accountId) => {
        const out = await call('organizations:ListParents', () => client.send(new ListParentsCommand({ ChildId: accountId, MaxResults: MAX_RESULTS })));
        const parent = out.Parents?.[0]?.Id;
        if (parent) parentOf.set(accountId, parent);
      }),
    );
    return;
  }
  const wanted = new Set(accountIds);
  await Promise.all(
    parentIds.map((parentId) =>
      collectPages<Account>(
        async (token) => {
          const out = await call('organizations:ListAccountsForParent', () =>
            client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token, MaxResults: MAX_RESULTS })),
          );
          return { items: out.Accounts, next: out.NextToken };
        },
        (page) => {
          for (const account of page) if (account.Id && wanted.has(account.Id)) parentOf.set(account.Id, parentId);
        },
      ),
    ),
  );
}

/** `o-…/r-…/ou-…/…/<account id>/` → the last root or OU id before the account. */
export function parentFromPaths(paths: string[] | undefined, accountId: string): string | null {
  const path = paths?.[0];
  if (!path) return null;
  const parts = path.split('/').filter((part) => part.length > 0);
  const index = parts.lastIndexOf(accountId);
  const containers = (index >= 0 ? parts.slice(0, index) : parts).filter((part) => part.startsWith('r-') || part.startsWith('ou-'));
  return containers.at(-1) ?? null;
}

function chainOf(parentId: string | null, tree: Map<string, OuNode>): OuNode[] {
  const chain: OuNode[] = [];
  const seen = new Set<string>();
  let node = parentId ? tree.get(parentId) : undefined;
  while (node && !seen.has(node.id)) {
    chain.unshift(node);
    seen.add(node.id);
    node = node.parentId ? tree.get(node.parentId) : undefined;
  }
  return chain;
}
