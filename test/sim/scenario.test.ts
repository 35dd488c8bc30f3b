import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  DEFAULT_REFERENCE_DATE,
  evolveScenario,
  generateScenario,
  KEY_KINDS,
  keysInScope,
  loadScenarioFile,
  OPT_IN_REGIONS,
  READER_ROLE_NAME,
  scenarioIssues,
  simScenario,
  type SimKey,
  type SimScenario,
} from '../../src/sim/index.js';

const allKeys = (s: SimScenario): SimKey[] => s.accounts.flatMap((a) => a.keys);

describe('generateScenario', () => {
  const opts = { seed: 11, accounts: 40, regions: 6, keysPerRegion: 3 };

  it('is deterministic from the seed', () => {
    expect(generateScenario(opts)).toEqual(generateScenario(opts));
    expect(generateScenario({ ...opts, seed: 12 })).not.toEqual(generateScenario(opts));
  });

  it('passes its own cross-reference checks', () => {
    expect(scenarioIssues(generateScenario(opts))).toEqual([]);
    expect(scenarioIssues(generateScenario({ seed: 3, accounts: 300, regions: 17, keysPerRegion: 4 }))).toEqual([]);
  });

  it('builds a management account and members in OUs nested three deep, with non-ACTIVE accounts', () => {
    const s = generateScenario(opts);
    expect(s.accounts).toHaveLength(40);
    expect(s.accounts[0]!.id).toBe(s.managementAccountId);
    expect(new Set(s.accounts.map((a) => a.id)).size).toBe(40);
    const depth = (parentId: string): number => (parentId === s.rootId ? 0 : 1 + depth(s.ous.find((o) => o.id === parentId)!.parentId));
    expect(Math.max(...s.accounts.map((a) => depth(a.parentId)))).toBe(3);
    const states = s.accounts.map((a) => a.state);
    expect(states).toContain('SUSPENDED');
    expect(states).toContain('PENDING_CLOSURE');
    expect(s.accounts.filter((a) => a.omitState && a.status === 'ACTIVE')).toHaveLength(1);
    expect(s.accounts.filter((a) => !a.roles.some((r) => r.name === READER_ROLE_NAME)).length).toBeGreaterThanOrEqual(1);
    expect(s.accounts[0]!.roles.map((r) => r.name)).toEqual([READER_ROLE_NAME]);
  });

  it('takes real region names with the right opt-in flag, and leaves some opt-in regions off for some accounts', () => {
    const s = generateScenario(opts);
    expect(s.regions.map((r) => r.name)).toEqual(['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2', 'af-south-1']);
    for (const r of s.regions) expect(r.optIn).toBe(OPT_IN_REGIONS.includes(r.name));
    expect(s.homeRegion).toBe('us-east-1');
    expect(s.accounts[0]!.optedInRegions).toEqual(['af-south-1']);
    expect(s.accounts.some((a) => !a.optedInRegions.includes('af-south-1'))).toBe(true);
    for (const a of s.accounts) for (const k of a.keys) expect(s.regions.find((r) => r.name === k.region)!.optIn ? a.optedInRegions.includes(k.region) : true).toBe(true);
    const named = generateScenario({ ...opts, regions: ['eu-west-1', 'me-south-1'] });
    expect(named.regions).toEqual([{ name: 'eu-west-1', optIn: false }, { name: 'me-south-1', optIn: true }]);
    expect(() => generateScenario({ ...opts, regions: ['mars-north-1'] })).toThrow(/unknown region/);
  });

  it('covers every case the rule must judge', () => {
    const keys = allKeys(generateScenario(opts));
    const has = (label: string, pred: (k: SimKey) => boolean) => expect(keys.some(pred), label).toBe(true);
    for (const days of [365, 90, 730, 2560]) has(`rotation ${days}`, (k) => k.rotation.enabled && k.rotation.periodDays === days && k.keyState === 'Enabled');
    has('rotation period omitted', (k) => k.rotation.enabled && k.rotation.periodDays === undefined);
    has('rotation off', (k) => !k.rotation.enabled && k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS');
    has('disabled', (k) => k.keyState === 'Disabled');
    has('pending deletion', (k) => k.keyState === 'PendingDeletion' && k.deletionDate !== undefined);
    has('pending import', (k) => k.keyState === 'PendingImport' && k.origin === 'EXTERNAL');
    has('external', (k) => k.origin === 'EXTERNAL' && k.keyState === 'Enabled');
    has('cloudhsm', (k) => k.origin === 'AWS_CLOUDHSM' && k.customKeyStoreId !== undefined);
    has('xks', (k) => k.origin === 'EXTERNAL_KEY_STORE' && k.customKeyStoreId !== undefined);
    has('rsa', (k) => k.keySpec.startsWith('RSA_') && k.keyUsage === 'SIGN_VERIFY');
    has('ecc', (k) => k.keySpec === 'ECC_NIST_P256' && k.keyUsage === 'SIGN_VERIFY');
    has('hmac', (k) => k.keySpec === 'HMAC_256' && k.keyUsage === 'GENERATE_VERIFY_MAC');
    has('key agreement', (k) => k.keyUsage === 'KEY_AGREEMENT');
    has('aws managed', (k) => k.keyManager === 'AWS' && k.aliases[0]!.startsWith('alias/aws/'));
    has('mr primary with replicas', (k) => k.multiRegion?.type === 'PRIMARY' && (k.multiRegion.replicaRegions?.length ?? 0) > 0);
    has('mr replica', (k) => k.multiRegion?.type === 'REPLICA');
    has('mr not rotating', (k) => k.multiRegion?.type === 'PRIMARY' && !k.rotation.enabled);
    has('several aliases', (k) => k.aliases.length >= 2);
    has('tags', (k) => Object.keys(k.tags).length > 0);
    has('automatic rotations', (k) => k.rotations.some((r) => r.type === 'AUTOMATIC'));
    has('on-demand rotations', (k) => k.rotations.some((r) => r.type === 'ON_DEMAND'));
    has('on-demand running', (k) => k.rotation.onDemandRotationStartDate !== undefined);
    has('unicode description', (k) => [...k.description].some((ch) => ch.charCodeAt(0) > 0x7f));
    for (const c of ['=', '+', '-', '@']) has(`formula ${c}`, (k) => k.description.startsWith(c));
  });

  it('places every kind in the first active accounts that carry the role', () => {
    const s = generateScenario({ seed: 5, accounts: 3, regions: 2, keysPerRegion: 11 });
    expect(allKeys(s).filter((k) => k.multiRegion?.type !== 'REPLICA').length).toBeGreaterThanOrEqual(KEY_KINDS.length);
  });

  it('generates 2,000 accounts × 17 regions × 4 keys with unique key ids per account and region', () => {
    const s = generateScenario({ seed: 1, accounts: 2000, regions: 17, keysPerRegion: 4 });
    const keys = s.accounts.reduce((n, a) => n + a.keys.length, 0);
    expect(keys).toBeGreaterThan(120_000);
    expect(scenarioIssues(s)).toEqual([]);
  });
});

describe('keysInScope', () => {
  it('lists keys of ACTIVE accounts (State, else Status), filtered by role, region and key manager', () => {
    const s = generateScenario({ seed: 2, accounts: 12, regions: 3, keysPerRegion: 2 });
    const all = keysInScope(s);
    const active = new Set(s.accounts.filter((a) => (a.omitState ? a.status : a.state) === 'ACTIVE').map((a) => a.id));
    expect(new Set(all.map((k) => k.accountId))).toEqual(active);
    expect(all.length).toBe(s.accounts.filter((a) => active.has(a.id)).reduce((n, a) => n + a.keys.length, 0));
    const withRole = keysInScope(s, { roleName: READER_ROLE_NAME });
    expect(withRole.length).toBeLessThan(all.length);
    expect(keysInScope(s, { regions: ['eu-west-1'] }).every((k) => k.region === 'eu-west-1')).toBe(true);
    const aws = keysInScope(s, { keyManager: 'AWS' });
    expect(aws.length).toBeGreaterThan(0);
    expect(keysInScope(s, { states: ['SUSPENDED'] }).length).toBeGreaterThan(0);
    const sorted = [...all].sort((a, b) => `${a.accountId}|${a.region}|${a.keyId}`.localeCompare(`${b.accountId}|${b.region}|${b.keyId}`));
    expect(all).toEqual(sorted);
  });
});

describe('builders', () => {
  it('fill defaults so tiny scenarios are short to write', () => {
    const s = simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-1' }] }, { id: '222222222222', optedInRegions: ['af-south-1'] }] });
    expect(s.managementAccountId).toBe('111111111111');
    expect(s.regions).toEqual([{ name: 'us-east-1', optIn: false }, { name: 'eu-west-1', optIn: false }, { name: 'af-south-1', optIn: true }]);
    expect(s.accounts[0]).toMatchObject({ state: 'ACTIVE', status: 'ACTIVE', parentId: s.rootId, roles: [{ name: READER_ROLE_NAME }] });
    expect(s.accounts[0]!.keys[0]).toMatchObject({ keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS', keyState: 'Enabled', rotation: { enabled: false } });
    expect(s.accounts[0]!.keys[0]!.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(scenarioIssues(s)).toEqual([]);
  });

  it('are checked for cross references', () => {
    const s = simScenario({ regions: ['us-east-1', 'af-south-1'], accounts: [{ id: '111111111111', keys: [{ region: 'af-south-1' }] }] });
    expect(scenarioIssues(s)).toEqual([{ path: 'accounts[0].keys[0].region', message: 'region af-south-1 is not enabled for this account (add it to optedInRegions)' }]);
  });
});

describe('loadScenarioFile', () => {
  const write = async (content: unknown): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-scenario-'));
    const path = join(dir, 'scenario.json');
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const fails = async (content: unknown): Promise<string> => {
    const path = await write(content);
    const err = await loadScenarioFile(path).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as UsageError).message;
    expect(message.startsWith(`${path}: `)).toBe(true);
    expect(message).not.toContain('\n');
    return message.slice(path.length + 2);
  };

  it('loads a hand-written scenario with defaults applied', async () => {
    const path = await write({
      regions: ['us-east-1', 'eu-west-1'],
      accounts: [
        { id: '111111111111', keys: [{ region: 'eu-west-1', keyId: 'k1', rotation: { enabled: true, periodDays: 90 }, aliases: ['alias/a'] }] },
        { id: '222222222222', state: 'SUSPENDED', roles: [{ name: 'Reader', externalId: 'xyz' }] },
      ],
    });
    const s = await loadScenarioFile(path);
    expect(s.accounts[1]).toMatchObject({ state: 'SUSPENDED', status: 'SUSPENDED', roles: [{ name: 'Reader', externalId: 'xyz' }] });
    expect(s.accounts[0]!.keys[0]!.rotation).toEqual({ enabled: true, periodDays: 90 });
  });

  it('names the key path and what was expected', async () => {
    expect(await fails({ accounts: [{ id: '12' }] })).toBe('accounts[0].id: expected a 12-digit account id');
    expect(await fails({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', rotation: { enabled: true, periodDays: 30 } }] }] })).toMatch(/^accounts\[0\]\.keys\[0\]\.rotation\.periodDays: /);
    expect(await fails({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keySpec: 'AES', colour: 'red' }] }] })).toMatch(/^accounts\[0\]\.keys\[0\]: .*colour/);
    expect(await fails({ accounts: [] })).toMatch(/^accounts: /);
    expect(await fails({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-3' }] }], regions: ['us-east-1'] })).toBe('accounts[0].keys[0].region: region eu-west-3 is not in regions');
    expect(await fails({ accounts: [{ id: '111111111111', parentId: 'ou-xxxx-nowhere1' }] })).toBe('accounts[0].parentId: unknown parent ou-xxxx-nowhere1');
    expect(await fails({ accounts: [{ id: '111111111111' }], regions: ['mars-1'] })).toMatch(/region mars-1 is not a known commercial region/);
    expect(await fails('{ not json')).toMatch(/^not valid JSON/);
  });

  it('loads the example fixture', async () => {
    const s = await loadScenarioFile(new URL('./fixtures/small-org.json', import.meta.url).pathname);
    expect(s.accounts.map((a) => a.id)).toEqual(['111111111111', '222222222222', '333333333333', '444444444444']);
    expect(keysInScope(s).map((k) => k.keyId)).toHaveLength(6);
    expect(keysInScope(s, { roleName: READER_ROLE_NAME })).toHaveLength(6);
  });

  it('reports a missing file as a usage error', async () => {
    await expect(loadScenarioFile('/nonexistent/scenario.json')).rejects.toThrow(/^\/nonexistent\/scenario\.json: cannot read scenario file \(ENOENT\)$/);
  });
});

describe('evolveScenario', () => {
  const base = () => generateScenario({ seed: 11, accounts: 12, regions: 4, keysPerRegion: 4 });

  it('is drawn from the seed and the step: the same step gives the same organization, and step k is step k-1 plus one step', () => {
    const a = base();
    const b = base();
    expect(evolveScenario(a, { seed: 11, step: 2, referenceDate: DEFAULT_REFERENCE_DATE })).toEqual(evolveScenario(b, { seed: 11, step: 2, referenceDate: DEFAULT_REFERENCE_DATE }));
    expect(a).toEqual(b);
    const one = base();
    const steps = evolveScenario(one, { seed: 11, step: 1, referenceDate: DEFAULT_REFERENCE_DATE });
    expect(evolveScenario(base(), { seed: 11, step: 2, referenceDate: DEFAULT_REFERENCE_DATE })[0]).toEqual(steps[0]);
    expect(one.accounts).toHaveLength(13);
    expect(scenarioIssues(one)).toEqual([]);
  });

  it('fixes failing keys, breaks passing ones and adds an account, leaving the accounts it is told to keep alone', () => {
    const scenario = base();
    const kept = scenario.accounts.slice(1, 4).map((account) => account.id);
    const before = JSON.stringify(scenario.accounts.filter((account) => kept.includes(account.id)));
    const [step] = evolveScenario(scenario, { seed: 11, step: 1, keepAccounts: kept, referenceDate: DEFAULT_REFERENCE_DATE });
    expect(JSON.stringify(scenario.accounts.filter((account) => kept.includes(account.id)))).toBe(before);
    const keyOf = (ref: string) => {
      const [accountId, region, keyId] = ref.split('/');
      return scenario.accounts.find((a) => a.id === accountId)!.keys.find((k) => k.region === region && k.keyId === keyId)!;
    };
    expect(step!.fixed).toHaveLength(3);
    expect(step!.newlyFailing).toHaveLength(3);
    for (const ref of step!.fixed) expect(keyOf(ref).rotation).toMatchObject({ enabled: true, periodDays: 365 });
    for (const ref of step!.newlyFailing) expect(keyOf(ref).rotation).toEqual({ enabled: false });
    const added = scenario.accounts.at(-1)!;
    expect(added).toMatchObject({ id: step!.newAccount.id, state: 'ACTIVE', name: 'acquired-0001' });
    expect(added.keys.length).toBe(step!.newAccount.keys);
    expect(added.roles.length).toBeGreaterThan(0);
    for (const key of added.keys) expect(key.creationDate < DEFAULT_REFERENCE_DATE).toBe(true);
  });
});
