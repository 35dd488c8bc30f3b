/**
 * Which accounts a scan covers, decided before any role is assumed: --accounts, --exclude-accounts,
 * --ous (anywhere below), account state, and the shard's stable partition.
 */
import { createHash } from 'node:crypto';
import type { OrgAccount } from '../aws/organizations.js';
import type { ScanOptions } from './options.js';

export interface AccountTarget {
  id: string;
  name: string | null;
  state: string | null;
  ouIds: string[];
  ouPath: string | null;
}

export interface AccountScope {
  /** ACTIVE accounts (or of unknown state) to scan, sorted by id. */
  scan: AccountTarget[];
  /** Selected but not ACTIVE: listed in coverage as skipped with their state. */
  skipped: AccountTarget[];
  /** Asked for with --accounts but not in the organization. */
  unknown: string[];
}

type ScopeOptions = Pick<ScanOptions, 'accounts' | 'excludeAccounts' | 'ous' | 'shard'>;

/** Whether an account id passes the id filters and the shard (the OU filter needs the OU path). */
export function idSelector(options: ScopeOptions): (accountId: string) => boolean {
  const wanted = options.accounts ? new Set(options.accounts) : null;
  const exclude = new Set(options.excludeAccounts);
  const shard = options.shard;
  return (id) => (wanted === null || wanted.has(id)) && !exclude.has(id) && (shard === null || shardOf(id, shard.count) === shard.index);
}

export function selectAccounts(accounts: OrgAccount[] | null, options: ScopeOptions): AccountScope {
  const exclude = new Set(options.excludeAccounts);
  const inShard = (id: string): boolean => options.shard === null || shardOf(id, options.shard.count) === options.shard.index;
  if (accounts === null) {
    // Without Organizations: exactly the accounts asked for.
    const ids = [...new Set(options.accounts ?? [])].filter((id) => !exclude.has(id) && inShard(id)).sort();
    return { scan: ids.map((id) => ({ id, name: null, state: null, ouIds: [], ouPath: null })), skipped: [], unknown: [] };
  }
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const wanted = options.accounts ? new Set(options.accounts) : null;
  const ous = options.ous ? new Set(options.ous) : null;
  const unknown = [...(wanted ?? [])].filter((id) => !byId.has(id) && !exclude.has(id) && inShard(id)).sort();
  const selected = accounts
    .filter((account) => (wanted === null || wanted.has(account.id)) && !exclude.has(account.id))
    .filter((account) => ous === null || account.ouIds.some((id) => ous.has(id)))
    .filter((account) => inShard(account.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((account) => ({ id: account.id, name: account.name, state: account.state, ouIds: account.ouIds, ouPath: account.ouPath }));
  return {
    // An account answered without State or Status is scanned: skipping it would hide it.
    scan: selected.filter((account) => account.state === 'ACTIVE' || account.state === null),
    skipped: selected.filter((account) => account.state !== 'ACTIVE' && account.state !== null),
    unknown,
  };
}

/** Stable shard of an account: by its id alone, so adding accounts never moves others between shards. */
export function shardOf(accountId: string, count: number): number {
  return createHash('sha256').update(accountId).digest().readUInt32BE(0) % count;
}
