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
  /** Set when the scan starts before the OU tree is known: ouIds and ouPath are filled in when it resolves. */
  pathsKnown?: Promise<void>;
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

/**
 * Decides, one account at a time (the inventory streams), whether an organization account is
 * scanned, listed as skipped (selected but not ACTIVE), or out of scope; and at the end, which
 * requested ids were never seen.
 */
export class AccountSelector {
  private readonly byId: (accountId: string) => boolean;
  private readonly ous: Set<string> | null;
  private readonly seen = new Set<string>();

  constructor(private readonly options: ScopeOptions) {
    this.byId = idSelector(options);
    this.ous = options.ous ? new Set(options.ous) : null;
  }

  classify(account: OrgAccount): 'scan' | 'skip' | 'out' {
    this.seen.add(account.id);
    if (!this.byId(account.id)) return 'out';
    if (this.ous !== null && !account.ouIds.some((id) => this.ous!.has(id))) return 'out';
    // An account answered without State or Status is scanned: skipping it would hide it.
    return account.state === 'ACTIVE' || account.state === null ? 'scan' : 'skip';
  }

  /** Requested with --accounts (and in this shard) but not in the organization. */
  unknown(): string[] {
    const inShard = idSelector({ ...this.options, accounts: null });
    return [...new Set(this.options.accounts ?? [])].filter((id) => !this.seen.has(id) && inShard(id)).sort();
  }
}

export function toTarget(account: OrgAccount): AccountTarget {
  const target: AccountTarget = { id: account.id, name: account.name, state: account.state, ouIds: account.ouIds, ouPath: account.ouPath };
  if (account.pathsKnown) {
    target.pathsKnown = account.pathsKnown.then(() => {
      target.ouIds = account.ouIds;
      target.ouPath = account.ouPath;
    });
  }
  return target;
}

export function selectAccounts(accounts: OrgAccount[] | null, options: ScopeOptions): AccountScope {
  if (accounts === null) {
    // Without Organizations: exactly the accounts asked for.
    const selected = idSelector(options);
    const ids = [...new Set(options.accounts ?? [])].filter(selected).sort();
    return { scan: ids.map((id) => ({ id, name: null, state: null, ouIds: [], ouPath: null })), skipped: [], unknown: [] };
  }
  const selector = new AccountSelector(options);
  const scope: AccountScope = { scan: [], skipped: [], unknown: [] };
  for (const account of [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const verdict = selector.classify(account);
    if (verdict === 'scan') scope.scan.push(toTarget(account));
    else if (verdict === 'skip') scope.skipped.push(toTarget(account));
  }
  scope.unknown = selector.unknown();
  return scope;
}

/** Stable shard of an account: by its id alone, so adding accounts never moves others between shards. */
export function shardOf(accountId: string, count: number): number {
  return createHash('sha256').update(accountId).digest().readUInt32BE(0) % count;
}
