/**
 * The organization's inventory: accounts with their state and OU path, with as few Organizations
 * calls as possible (its request quota is low: Organizations user guide, "Quotas for AWS Organizations",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html):
 * DescribeOrganization, ListAccounts to the last page, and the OU tree once (ListRoots, then
 * ListOrganizationalUnitsForParent from the root down, for OU names), all three concurrently. Each account's parent
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
import { AWS_MAX, bounded } from '../core/bounds.js';
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
  /**
   * Set when the account was emitted before the OU tree was known (`earlyStart`): `ouIds` and
   * `ouPath` are empty until this resolves, and then filled in on this same object.
   */
  pathsKnown?: Promise<void>;
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
 *
 * `onAccounts` receives accounts as soon as they are resolved, so scanning can start while
 * ListAccounts is still paging (20 accounts a page at a low, shared rate): with `Paths`, each page
 * once the OU tree is known; without, all at the end. With `earlyStart` (nothing selects by OU),
 * accounts whose parent is in `Paths` are emitted as their page arrives, before the OU walk ends,
 * with their paths filled in later (`pathsKnown`): the scan needs the account ids, only the
 * reports need the paths.
 */
export async function listInventory(
  client: OrganizationsClient,
  call: OrgCaller,
  needParents: (accountId: string) => boolean = () => true,
  onAccounts: (accounts: OrgAccount[]) => void = () => {},
  earlyStart = false,
): Promise<Inventory> {
  // The organization, the OU tree and the first account pages are fetched concurrently.
  const orgPromise = describeOrganization(client, call);
  const treePromise = walkOuTree(client, call);
  // Neither may reject unobserved while ListAccounts is paging.
  orgPromise.catch(() => undefined);
  treePromise.catch(() => undefined);
  let tree: Map<string, OuNode> | null = null;
  void treePromise.then((known) => (tree = known), () => undefined);

  const resolved: OrgAccount[] = [];
  const missing: Account[] = [];
  const emit = (accounts: OrgAccount[]): void => {
    if (accounts.length === 0) return;
    resolved.push(...accounts);
    onAccounts(accounts);
  };
  let token: string | undefined;
  const seenTokens = new Set<string>();
  do {
    const out = await call('organizations:ListAccounts', () => client.send(new ListAccountsCommand({ NextToken: token, MaxResults: MAX_RESULTS })));
    const page = (out.Accounts ?? []).filter((account): account is Account & { Id: string } => typeof account.Id === 'string');
    const ready: OrgAccount[] = [];
    for (const account of page) {
      const parent = needParents(account.Id) ? parentFromPaths(account.Paths, account.Id) : null;
      if (parent === null && needParents(account.Id)) missing.push(account);
      else if (tree !== null || !earlyStart) ready.push(toOrgAccount(account, parent, await treePromise));
      else ready.push(withPathsLater(account, parent, treePromise));
    }
    emit(ready);
    // A page may be empty while a token remains (Organizations API reference, ListAccounts, NextToken:
    // https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html): only its absence ends the list.
    token = out.NextToken || undefined;
    if (token !== undefined) {
      if (seenTokens.has(token)) throw new Error('organizations:ListAccounts: pagination token repeated: the endpoint is looping');
      seenTokens.add(token);
    }
  } while (token !== undefined);

  const known = await treePromise;
  await Promise.all(resolved.map((account) => account.pathsKnown));
  if (missing.length > 0) {
    const parentOf = new Map<string, string>();
    await resolveParents(client, call, missing.map((account) => account.Id!), [...known.keys()], parentOf);
    emit(missing.map((account) => toOrgAccount(account as Account & { Id: string }, parentOf.get(account.Id!) ?? null, known)));
  }
  return { ...(await orgPromise), accounts: resolved };
}

/** The account now, its OU path once the tree is known (filled in on the same object). */
function withPathsLater(account: Account & { Id: string }, parentId: string | null, tree: Promise<Map<string, OuNode>>): OrgAccount {
  const early: OrgAccount = { ...toOrgAccount(account, null, new Map()), ouIds: [], ouPath: '' };
  early.pathsKnown = tree.then(
    (known) => {
      const full = toOrgAccount(account, parentId, known);
      early.ouIds = full.ouIds;
      early.ouPath = full.ouPath;
    },
    () => undefined, // the inventory fails with the tree's error
  );
  return early;
}

function toOrgAccount(account: Account & { Id: string }, parentId: string | null, tree: Map<string, OuNode>): OrgAccount {
  const root = [...tree.values()].find((node) => node.parentId === null) ?? null;
  const chain = chainOf(parentId ?? root?.id ?? null, tree);
  return {
    id: account.Id,
    name: bounded(account.Name ?? null, AWS_MAX.accountName),
    state: account.State ?? account.Status ?? null,
    ouIds: chain.map((node) => node.id),
    ouPath: chain.map((node) => node.name).join('/'),
  };
}

async function walkOuTree(client: OrganizationsClient, call: OrgCaller): Promise<Map<string, OuNode>> {
  const roots = await call('organizations:ListRoots', () => client.send(new ListRootsCommand({})));
  const tree = new Map<string, OuNode>();
  let level: string[] = [];
  for (const root of roots.Roots ?? []) {
    if (!root.Id) continue;
    tree.set(root.Id, { id: root.Id, name: bounded(root.Name ?? 'Root', AWS_MAX.ouName), parentId: null });
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
        return ous.flatMap((ou) => (ou.Id ? [{ id: ou.Id, name: bounded(ou.Name ?? ou.Id, AWS_MAX.ouName), parentId }] : []));
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
