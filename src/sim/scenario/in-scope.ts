import type { SimAccount, SimScenario } from '../types.js';

export interface KeyRef {
  accountId: string;
  region: string;
  keyId: string;
}

export interface KeyScopeFilter {
  /** Only these accounts. */
  accountIds?: string[];
  /** Only these regions. */
  regions?: string[];
  /** Account states in scope, read from State, else the older Status (default ['ACTIVE']). */
  states?: string[];
  /** Only accounts that have this role (a scan cannot enter the others). */
  roleName?: string;
  /** Only customer managed or only AWS managed keys (default both). */
  keyManager?: 'CUSTOMER' | 'AWS';
}

function accountState(a: SimAccount): string | undefined {
  return a.omitState || !a.state ? a.status : a.state;
}

/**
 * Every key a scan with this scope should report, sorted by account, region and key id: the
 * ground truth for invariant tests ("each key exactly once"). Judgement stays out of the simulator.
 */
export function keysInScope(scenario: SimScenario, filter: KeyScopeFilter = {}): KeyRef[] {
  const states = filter.states ?? ['ACTIVE'];
  const out: KeyRef[] = [];
  for (const account of scenario.accounts) {
    if (filter.accountIds && !filter.accountIds.includes(account.id)) continue;
    const state = accountState(account);
    if (state === undefined || !states.includes(state)) continue;
    if (filter.roleName !== undefined && !account.roles.some((r) => r.name === filter.roleName)) continue;
    for (const key of account.keys) {
      if (filter.regions && !filter.regions.includes(key.region)) continue;
      if (filter.keyManager && key.keyManager !== filter.keyManager) continue;
      out.push({ accountId: account.id, region: key.region, keyId: key.keyId });
    }
  }
  return out.sort((a, b) => (a.accountId !== b.accountId ? (a.accountId < b.accountId ? -1 : 1) : a.region !== b.region ? (a.region < b.region ? -1 : 1) : a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
}
