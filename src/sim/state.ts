import { isOptInRegion } from './regions.js';
import type { SimAccount, SimKey, SimOu, SimRegion, SimRole, SimScenario } from './types.js';

/** The keys of one account in one region, indexed for O(1) lookups and stable paging. */
export interface RegionKeys {
  /** Sorted by keyId: ListKeys markers are the last key id returned, so deletions never shift pages. */
  sorted: SimKey[];
  byId: Map<string, SimKey>;
  byAlias: Map<string, SimKey>;
}

export interface OrgChildren {
  ous: SimOu[];
  accounts: SimAccount[];
}

/**
 * Lookup indexes over the live scenario. Services read and mutate SimKey objects in place
 * (so `Simulator.scenario` stays the truth); structural changes go through this class.
 */
export class ScenarioIndex {
  accounts = new Map<string, SimAccount>();
  regions = new Map<string, SimRegion>();
  ous = new Map<string, SimOu>();
  children = new Map<string, OrgChildren>();
  private keys = new Map<string, RegionKeys>();
  private roles = new Map<string, SimRole>();
  private paths = new Map<string, string>();

  constructor(readonly scenario: SimScenario) {
    this.rebuild();
  }

  rebuild(): void {
    const s = this.scenario;
    this.accounts.clear();
    this.regions.clear();
    this.ous.clear();
    this.children.clear();
    this.keys.clear();
    this.roles.clear();
    this.paths.clear();
    for (const r of s.regions) this.regions.set(r.name, r);
    this.children.set(s.rootId, { ous: [], accounts: [] });
    for (const ou of s.ous) {
      this.ous.set(ou.id, ou);
      this.children.set(ou.id, { ous: [], accounts: [] });
    }
    for (const ou of s.ous) this.children.get(ou.parentId)?.ous.push(ou);
    for (const account of s.accounts) {
      this.accounts.set(account.id, account);
      this.children.get(account.parentId)?.accounts.push(account);
      for (const role of account.roles) this.roles.set(roleKey(account.id, role.path ?? '/', role.name), role);
      for (const key of account.keys) this.bucket(account.id, key.region).sorted.push(key);
    }
    for (const rk of this.keys.values()) {
      rk.sorted.sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
      for (const key of rk.sorted) {
        rk.byId.set(key.keyId, key);
        for (const alias of key.aliases) rk.byAlias.set(alias, key);
      }
    }
  }

  regionKeys(accountId: string, region: string): RegionKeys | undefined {
    return this.keys.get(`${accountId}|${region}`);
  }

  role(accountId: string, path: string, name: string): SimRole | undefined {
    return this.roles.get(roleKey(accountId, path, name));
  }

  /**
   * Whether the region is enabled for the account: default regions always, opt-in regions when
   * the account opted in. A region unknown to the scenario counts by the real partition list.
   */
  isRegionEnabled(account: SimAccount, region: string): boolean {
    const known = this.regions.get(region);
    const optIn = known ? known.optIn : isOptInRegion(region);
    if (optIn === undefined) return false;
    return !optIn || account.optedInRegions.includes(region);
  }

  /** Remove a key from the live scenario (fault "delete-key"). */
  deleteKey(accountId: string, key: SimKey): void {
    const rk = this.regionKeys(accountId, key.region);
    if (rk && rk.byId.get(key.keyId) === key) {
      rk.byId.delete(key.keyId);
      rk.sorted.splice(rk.sorted.indexOf(key), 1);
      for (const alias of key.aliases) if (rk.byAlias.get(alias) === key) rk.byAlias.delete(alias);
    }
    const account = this.accounts.get(accountId);
    if (account) {
      const at = account.keys.indexOf(key);
      if (at >= 0) account.keys.splice(at, 1);
    }
  }

  /** `o-…/r-…/ou-…/…/` for a parent id (Organizations `Paths`, 2026). */
  pathOf(parentId: string): string {
    const cached = this.paths.get(parentId);
    if (cached !== undefined) return cached;
    const chain: string[] = [];
    let id: string | undefined = parentId;
    for (let guard = 0; id !== undefined && guard < 10; guard++) {
      chain.unshift(id);
      id = this.ous.get(id)?.parentId;
    }
    const path = `${this.scenario.organizationId}/${chain.join('/')}/`;
    this.paths.set(parentId, path);
    return path;
  }

  private bucket(accountId: string, region: string): RegionKeys {
    const k = `${accountId}|${region}`;
    let rk = this.keys.get(k);
    if (!rk) {
      rk = { sorted: [], byId: new Map(), byAlias: new Map() };
      this.keys.set(k, rk);
    }
    return rk;
  }
}

function roleKey(accountId: string, path: string, name: string): string {
  return `${accountId}|${path}|${name}`;
}
