/**
 * The simulated organization a while later, so that two runs have something to compare (the demo's
 * changes.csv and "Changes since" page): step k applies steps 1..k in order to the generated
 * organization, each one turning on rotation for a few failing keys (fixed), turning it off for a few
 * passing ones (newly failing) and adding one member account with keys of its own (new). Everything
 * is drawn from the seed and the step: the same step gives the same organization, and consecutive
 * steps differ by exactly one step's changes.
 */
import { createRng, flat, type Rng } from '../rng.js';
import type { SimAccount, SimKey, SimScenario } from '../types.js';
import { legacyStatus } from './builders.js';
import { makeKey, randomKind } from './key-mix.js';

export interface EvolveOptions {
  seed: number;
  /** How many steps after the generated organization (0: unchanged). */
  step: number;
  /** Keys fixed, and keys newly failing, per step (default 3 each). */
  keysPerStep?: number;
  /** Accounts whose keys are left alone (e.g. those the demo gives faults or exceptions). */
  keepAccounts?: readonly string[];
  /** The scenario's "now" for the new account's keys (ISO 8601; the generator's reference date). */
  referenceDate: string;
}

export interface StepChanges {
  step: number;
  /** `account/region/keyId` of the keys whose rotation was turned on, and off. */
  fixed: string[];
  newlyFailing: string[];
  /** The account added, and how many keys it holds. */
  newAccount: { id: string; name: string; keys: number };
}

/** Mutates `scenario` in place; returns what each step changed. */
export function evolveScenario(scenario: SimScenario, opts: EvolveOptions): StepChanges[] {
  const keep = new Set(opts.keepAccounts ?? []);
  const touched = new Set<SimKey>();
  const changes: StepChanges[] = [];
  for (let step = 1; step <= opts.step; step++) {
    const rng = createRng(opts.seed * 7919 + step);
    const candidates = (passing: boolean): { account: SimAccount; key: SimKey }[] =>
      scenario.accounts
        .filter((account) => !keep.has(account.id) && plainAccount(account))
        .flatMap((account) => account.keys.filter((key) => !touched.has(key) && judgedByItsOwnRotation(key) && passesDefaultPolicy(key) === passing).map((key) => ({ account, key })));
    const fixed = pick(rng, candidates(false), opts.keysPerStep ?? 3);
    for (const { key } of fixed) {
      key.rotation = { enabled: true, periodDays: 365, nextRotationDate: new Date(Date.parse(opts.referenceDate) + 365 * 86_400_000).toISOString() };
      touched.add(key);
    }
    const broken = pick(rng, candidates(true), opts.keysPerStep ?? 3);
    for (const { key } of broken) {
      key.rotation = { enabled: false };
      touched.add(key);
    }
    const added = addAccount(scenario, rng, step, Date.parse(opts.referenceDate));
    changes.push({
      step,
      fixed: fixed.map(({ account, key }) => `${account.id}/${key.region}/${key.keyId}`),
      newlyFailing: broken.map(({ account, key }) => `${account.id}/${key.region}/${key.keyId}`),
      newAccount: { id: added.id, name: added.name, keys: added.keys.length },
    });
  }
  return changes;
}

function plainAccount(account: SimAccount): boolean {
  return account.state === 'ACTIVE' && !account.omitState && account.roles.length > 0;
}

/** A customer managed symmetric key, enabled, single-Region, with AWS-held material: its verdict is its own rotation. */
function judgedByItsOwnRotation(key: SimKey): boolean {
  return key.keyManager === 'CUSTOMER' && key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyUsage === 'ENCRYPT_DECRYPT' && key.origin === 'AWS_KMS' && key.keyState === 'Enabled' && !key.multiRegion && !key.customKeyStoreId;
}

/** Rotation on, at most every 365 days (the default policy, --max-rotation-days 365; an omitted period is 365). */
function passesDefaultPolicy(key: SimKey): boolean {
  return key.rotation.enabled && (key.rotation.periodDays ?? 365) <= 365;
}

function pick<T>(rng: Rng, items: T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(rng.int(pool.length), 1)[0]!);
  return out;
}

/** A member account like the generator's plain ones: same OU as an existing member, the read role, keys in the default regions. */
function addAccount(scenario: SimScenario, rng: Rng, step: number, now: number): SimAccount {
  const used = new Set(scenario.accounts.map((account) => account.id));
  let id: string;
  do id = `${1 + rng.int(9)}${String(rng.int(1e11)).padStart(11, '0')}`;
  while (used.has(id));
  const model = scenario.accounts.find((account) => account.id !== scenario.managementAccountId && plainAccount(account)) ?? scenario.accounts[0]!;
  const name = flat(`acquired-${String(step).padStart(4, '0')}`);
  const regions = scenario.regions.filter((region) => !region.optIn).map((region) => region.name);
  const keys: SimKey[] = [];
  let serial = 900_000 + step * 100;
  for (const region of regions) {
    const awsAliasesUsed = new Set<string>();
    for (let i = 0; i < 2; i++) {
      // No multi-Region sets: a new account's replicas would need regions of their own.
      let kind = randomKind(rng);
      while (kind.startsWith('multi-region')) kind = randomKind(rng);
      keys.push(makeKey(kind, { rng, region, now, serial: ++serial, awsAliasesUsed }));
    }
  }
  const account: SimAccount = {
    id,
    name,
    email: `aws+${name}@example.com`,
    state: 'ACTIVE',
    status: legacyStatus('ACTIVE'),
    parentId: model.parentId,
    optedInRegions: [],
    roles: model.roles.map((role) => ({ ...role })),
    keys,
    joinedTimestamp: new Date(now - step * 86_400_000).toISOString(),
    joinedMethod: 'INVITED',
  };
  scenario.accounts.push(account);
  return account;
}
