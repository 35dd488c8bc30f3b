import { DEFAULT_REGIONS, isOptInRegion, OPT_IN_REGIONS } from '../regions.js';
import { createRng, type Rng } from '../rng.js';
import type { SimAccount, SimKey, SimOu, SimRegion, SimRole, SimScenario } from '../types.js';
import { legacyStatus, READER_ROLE_NAME } from './builders.js';
import { KEY_KINDS, makeKey, makeReplica, randomKind, type KeyKind } from './key-mix.js';

export interface GenerateOptions {
  seed: number;
  /** Total accounts, the management account included (≥ 1). */
  accounts: number;
  /** How many regions (defaults first, about a fifth opt-in), or explicit region names. */
  regions: number | string[];
  /** Keys per account and region (multi-Region replicas come on top). */
  keysPerRegion: number;
  /** The read role's name (default KmsRotationAuditReader). */
  roleName?: string;
  /** When set, the read role requires this ExternalId. */
  externalId?: string;
  /** Account and OU objects carry `Paths` (default true). */
  withPaths?: boolean;
  /** The scenario's "now" for creation, rotation and deletion dates (default 2026-11-01). */
  referenceDate?: string;
}

/** The scenario's "now" unless told otherwise: fixed, so creation and rotation dates never move with the clock. */
export const DEFAULT_REFERENCE_DATE = '2026-11-01T00:00:00.000Z';

const DEFAULT_ORDER = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2', 'us-east-2', ...DEFAULT_REGIONS];
const OPT_IN_ORDER = ['af-south-1', 'ap-east-1', 'me-south-1', 'eu-south-1', 'ap-southeast-3', ...OPT_IN_REGIONS];

function pickRegions(spec: number | string[]): SimRegion[] {
  if (Array.isArray(spec)) {
    return spec.map((name) => {
      const optIn = isOptInRegion(name);
      if (optIn === undefined) throw new Error(`generateScenario: unknown region ${name}`);
      return { name, optIn };
    });
  }
  if (!Number.isInteger(spec) || spec < 1 || spec > DEFAULT_REGIONS.length + OPT_IN_REGIONS.length) {
    throw new Error(`generateScenario: regions must be 1..${DEFAULT_REGIONS.length + OPT_IN_REGIONS.length}, got ${spec}`);
  }
  const optInCount = spec >= 3 ? Math.max(1, Math.round(spec * 0.18)) : 0;
  const defaults = [...new Set(DEFAULT_ORDER)].slice(0, spec - optInCount).map((name) => ({ name, optIn: false }));
  const optIns = [...new Set(OPT_IN_ORDER)].slice(0, optInCount).map((name) => ({ name, optIn: true }));
  return [...defaults, ...optIns];
}

function uniqueAccountId(rng: Rng, used: Set<string>): string {
  for (;;) {
    const id = `${1 + rng.int(9)}${String(rng.int(1e11)).padStart(11, '0')}`;
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

interface OrgLayout {
  ous: SimOu[];
  security: string;
  infrastructure: string;
  sandbox: string;
  suspended: string;
  workloads: string[];
}

/** Root → Security, Infrastructure, Sandbox, Suspended, Workloads → Prod/NonProd → team OUs (3 levels). */
function layoutOus(rng: Rng, rootId: string, accounts: number): OrgLayout {
  const suffix = rootId.slice(2);
  const ous: SimOu[] = [];
  const ou = (name: string, parentId: string): string => {
    const id = `ou-${suffix}-${rng.alnum(8)}`;
    ous.push({ id, name, parentId });
    return id;
  };
  const security = ou('Security', rootId);
  const infrastructure = ou('Infrastructure', rootId);
  const sandbox = ou('Sandbox', rootId);
  const suspended = ou('Suspended', rootId);
  const workloadsRoot = ou('Workloads', rootId);
  const workloads: string[] = [];
  const teams = Math.max(1, Math.ceil(accounts / 100));
  for (const env of ['Prod', 'NonProd']) {
    const envId = ou(env, workloadsRoot);
    workloads.push(envId);
    for (let t = 1; t <= teams; t++) workloads.push(ou(`${env}-team-${t}`, envId));
  }
  ous.find((o) => o.id === security)!.tags = { Owner: 'security@example.com' };
  return { ous, security, infrastructure, sandbox, suspended, workloads };
}

/**
 * A deterministic organization from a seed: management account plus members in nested OUs, a
 * few non-ACTIVE accounts, a few members without the read role, opt-in regions enabled for some
 * accounts only, and a key mix in which every KeyKind appears at least once when there are slots
 * enough (the first slots of active accounts take the kinds in order).
 */
export function generateScenario(opts: GenerateOptions): SimScenario {
  checkCounts(opts);
  const rng = createRng(opts.seed);
  const now = Date.parse(opts.referenceDate ?? DEFAULT_REFERENCE_DATE);
  const regions = pickRegions(opts.regions);
  const homeRegion = regions.find((r) => !r.optIn)?.name;
  if (homeRegion === undefined) throw new Error('generateScenario: at least one default (non opt-in) region is needed');
  const rootId = `r-${rng.alnum(4)}`;
  const organizationId = `o-${rng.alnum(10)}`;
  const layout = layoutOus(rng, rootId, opts.accounts);
  const accounts = makeAccounts(rng, opts, { now, rootId, layout, optInNames: regions.filter((r) => r.optIn).map((r) => r.name) });
  addKeys(rng, accounts, regions, { now, keysPerRegion: opts.keysPerRegion });
  return {
    partition: 'aws',
    organizationId,
    rootId,
    managementAccountId: accounts[0]!.id,
    homeRegion,
    regions,
    ous: layout.ous,
    accounts,
    withPaths: opts.withPaths ?? true,
  };
}

function checkCounts(opts: GenerateOptions): void {
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1) throw new Error(`generateScenario: accounts must be ≥ 1, got ${opts.accounts}`);
  if (!Number.isInteger(opts.keysPerRegion) || opts.keysPerRegion < 0) throw new Error(`generateScenario: keysPerRegion must be ≥ 0, got ${opts.keysPerRegion}`);
}

type SpecialMember = 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED' | 'legacy' | 'no-role';

/** Special members are taken from the end, so the first accounts stay plain and carry the catalogue. */
function specialMembers(n: number): Map<number, SpecialMember> {
  const special = new Map<number, SpecialMember>();
  if (n >= 6) {
    const plan: SpecialMember[] = ['SUSPENDED', 'PENDING_CLOSURE', 'legacy', 'no-role'];
    if (n >= 10) plan.push('CLOSED');
    for (let extra = Math.floor(n / 100); extra > 0; extra--) plan.push('SUSPENDED', 'no-role');
    plan.forEach((kind, i) => special.set(n - 1 - i, kind));
  } else if (n >= 3) special.set(n - 1, 'no-role');
  return special;
}

/** What every account of the organization is made from. */
interface AccountContext {
  now: number;
  rootId: string;
  layout: OrgLayout;
  optInNames: string[];
}

function makeAccounts(rng: Rng, opts: GenerateOptions, ctx: AccountContext): SimAccount[] {
  const roleName = opts.roleName ?? READER_ROLE_NAME;
  const role = opts.externalId === undefined ? { name: roleName } : { name: roleName, externalId: opts.externalId };
  const usedIds = new Set<string>();
  const special = specialMembers(opts.accounts);
  const accounts: SimAccount[] = [];
  for (let i = 0; i < opts.accounts; i++) accounts.push(makeAccount(rng, i, { ...ctx, id: uniqueAccountId(rng, usedIds), kind: special.get(i), role }));
  return accounts;
}

function makeAccount(rng: Rng, i: number, c: AccountContext & { id: string; kind: SpecialMember | undefined; role: SimRole }): SimAccount {
  const { kind } = c;
  const state = kind === 'SUSPENDED' || kind === 'PENDING_CLOSURE' || kind === 'CLOSED' ? kind : 'ACTIVE';
  const name = i === 0 ? 'management' : `${rng.pick(['payments', 'data', 'web', 'ml', 'ops', 'shared'])}-${String(i).padStart(4, '0')}`;
  const parentId = parentOf(rng, i, state, c);
  // Management opts in everywhere; member 1 opts in nowhere; the others to each opt-in region with p = 0.6.
  const optedInRegions = i === 0 ? [...c.optInNames] : i === 1 ? [] : c.optInNames.filter(() => rng.chance(0.6));
  const status = legacyStatus(state);
  const account: SimAccount = {
    id: c.id,
    name,
    email: `aws+${name}@example.com`,
    state,
    ...(status !== undefined ? { status } : {}),
    ...(kind === 'legacy' ? { omitState: true } : {}),
    parentId,
    optedInRegions,
    roles: kind === 'no-role' ? [] : [{ ...c.role }],
    keys: [],
    joinedTimestamp: new Date(c.now - (100 + rng.int(2000)) * 86_400_000).toISOString(),
    joinedMethod: i === 0 || rng.chance(0.8) ? 'CREATED' : 'INVITED',
  };
  if (rng.chance(0.3)) account.tags = { Environment: rng.pick(['prod', 'nonprod', 'sandbox']), Owner: rng.pick(['platform', '=cmd|\'/C calc\'!A0', 'équipe-données']) };
  return account;
}

/** The management account sits at the root; members 1 and 2 in Security and Infrastructure; the rest mostly under Workloads. */
function parentOf(rng: Rng, i: number, state: string, c: AccountContext): string {
  if (i === 0) return c.rootId;
  if (state !== 'ACTIVE') return c.layout.suspended;
  if (i === 1) return c.layout.security;
  if (i === 2) return c.layout.infrastructure;
  if (rng.chance(0.08)) return c.layout.sandbox;
  if (rng.chance(0.02)) return c.rootId;
  return rng.pick(c.layout.workloads);
}

/** Keys: the catalogue first (every kind once, in active accounts with the role), then the weighted mix. */
function addKeys(rng: Rng, accounts: SimAccount[], regions: SimRegion[], opts: { now: number; keysPerRegion: number }): void {
  const counters = { serial: 0, catalogue: 0 };
  for (const account of accounts) {
    const enabled = regions.filter((r) => !r.optIn || account.optedInRegions.includes(r.name)).map((r) => r.name);
    const plain = account.state === 'ACTIVE' && !account.omitState && account.roles.length > 0;
    for (const region of enabled) {
      const awsAliasesUsed = new Set<string>();
      for (const k of account.keys) if (k.region === region && k.keyManager === 'AWS') awsAliasesUsed.add(k.aliases[0]!);
      for (let s = 0; s < opts.keysPerRegion; s++) {
        const kind: KeyKind = plain && counters.catalogue < KEY_KINDS.length ? KEY_KINDS[counters.catalogue++]! : randomKind(rng);
        const key = makeKey(kind, { rng, region, now: opts.now, serial: ++counters.serial, awsAliasesUsed });
        account.keys.push(key);
        if (key.multiRegion) addReplicas(rng, account, key, enabled);
      }
    }
  }
}

/** One or two replicas of a multi-Region primary, in other enabled regions of its account. */
function addReplicas(rng: Rng, account: SimAccount, key: SimKey, enabled: string[]): void {
  const others = enabled.filter((r) => r !== key.region && !account.keys.some((k) => k.region === r && k.keyId === key.keyId));
  const count = Math.min(others.length, 1 + rng.int(2));
  for (let r = 0; r < count; r++) {
    const replicaRegion = others.splice(rng.int(others.length), 1)[0]!;
    key.multiRegion!.replicaRegions!.push(replicaRegion);
    account.keys.push(makeReplica(key, replicaRegion, rng));
  }
}
