/**
 * Issue 10, "No silent holes": each path by which a key could go unjudged, end to end through the
 * simulator with the real SDK, and after each the suite's invariant (every in-scope key exactly once
 * with the oracle's status or ERROR; coverage exact) plus the exit status.
 */
import { describe, expect, it } from 'vitest';
import { runStatus } from '../../src/app/run.js';
import type { KeyResult, RegionCoverage } from '../../src/core/results.js';
import { generateScenario, independentEmulatorFaults, midUpdatePrimaryRegionFaults, simScenario, transitionalKeyFaults, type SimScenario } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim, type ScanRun } from './helpers.js';

const A = '111111111111';
const B = '222222222222';
const arn = (region: string, account: string, keyId: string): string => `arn:aws:kms:${region}:${account}:key/${keyId}`;
const exit = (run: ScanRun): number => runStatus('fail', run.outcome.coverageComplete, run.outcome.counts);
const cov = (run: ScanRun, account: string, region: string): RegionCoverage | undefined => run.outcome.header.coverage.regions.find((r) => r.accountId === account && r.region === region);
const get = (run: ScanRun, region: string, keyId: string): KeyResult => {
  const key = run.keys.find((k) => k.region === region && k.keyId === keyId);
  expect(key, `${region} ${keyId}`).toBeDefined();
  return key!;
};

/** One multi-Region set in account B: primary in us-east-1 (rotation off unless said), replica in eu-west-1. */
function mrScenario(primaryRotation: { enabled: boolean; periodDays?: number } = { enabled: false }, extraKeys: { region: string; keyId: string }[] = []): SimScenario {
  const id = 'mrk-1234567890abcdef1234567890abcdef';
  return simScenario({
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    accounts: [
      { id: A },
      {
        id: B,
        keys: [
          { region: 'us-east-1', keyId: id, rotation: primaryRotation, multiRegion: { type: 'PRIMARY', primaryRegion: 'us-east-1', primaryKeyId: id, replicaRegions: ['eu-west-1'] } },
          { region: 'eu-west-1', keyId: id, multiRegion: { type: 'REPLICA', primaryRegion: 'us-east-1', primaryKeyId: id } },
          { region: 'eu-west-1', keyId: 'plain-eu', rotation: { enabled: true, periodDays: 365 } },
          ...extraKeys,
        ],
      },
    ],
  });
}
const MRK = 'mrk-1234567890abcdef1234567890abcdef';

describe('a region DescribeRegions lists as enabled that refuses the credentials', () => {
  it('is a coverage error with the AWS code and the STS token hint, never "not enabled"; the run exits 2', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'fail-eu' }, { region: 'us-east-1', keyId: 'fail-us' }] }] });
    await withSim({ scenario: s, faults: [{ accounts: [B], regions: ['eu-west-1'], kind: 'invalid-token' }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s).filter((k) => k.region !== 'eu-west-1'));
      expect(cov(run, B, 'eu-west-1')).toMatchObject({ status: 'error', keyCount: null, error: { code: 'UnrecognizedClientException', operation: 'kms:ListKeys' } });
      expect(cov(run, B, 'eu-west-1')!.reason).toMatch(/lists as enabled.*global STS endpoint \(version 1 tokens\).*aws sts set-security-token-service-preferences/);
      expect(run.outcome.coverageComplete).toBe(false);
      expect(exit(run)).toBe(2);
    });
  });

  it('a region the account has not enabled still reads "not enabled" (DescribeRegions says not-opted-in)', async () => {
    const s = simScenario({ regions: ['us-east-1', 'eu-west-1', 'af-south-1'], accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'k', rotation: { enabled: true, periodDays: 365 } }] }] });
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { regions: ['af-south-1', 'eu-west-1'] });
      expectInvariant(run.keys, expectedKeys(s, { regions: ['af-south-1', 'eu-west-1'] }));
      expect(cov(run, B, 'af-south-1')).toMatchObject({ status: 'not_enabled' });
      expect(exit(run)).toBe(0);
    });
  });
});

describe('regions named that every account has enabled', () => {
  it('are scanned without DescribeRegions (no EC2 client), and a refusal there is still a coverage error', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'fail-eu' }, { region: 'us-east-1', keyId: 'ok', rotation: { enabled: true, periodDays: 365 } }] }] });
    await withSim({ scenario: s, faults: [{ accounts: [B], regions: ['eu-west-1'], kind: 'invalid-token' }] }, async (sim) => {
      const run = await scan(sim, { regions: ['us-east-1', 'eu-west-1'] });
      expect(run.outcome.header.apiCalls['ec2:DescribeRegions']).toBeUndefined();
      expectInvariant(run.keys, expectedKeys(s).filter((k) => k.region !== 'eu-west-1'));
      expect(cov(run, B, 'eu-west-1')).toMatchObject({ status: 'error', error: { code: 'UnrecognizedClientException' } });
      expect(cov(run, B, 'eu-west-1')!.reason).toMatch(/enabled by default in every account/);
      expect(exit(run)).toBe(2);
    });
    // An opt-in region among them: DescribeRegions decides, as before.
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { regions: ['us-east-1', 'af-south-1'] });
      expect(run.outcome.header.apiCalls['ec2:DescribeRegions']).toBeGreaterThan(0);
    });
  });
});

describe('multi-Region sets: judged once, through the primary, wherever it is', () => {
  it('a primary outside --regions is read in its region with the account session and judged; the replica names it and its verdict', async () => {
    const s = mrScenario();
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { regions: ['eu-west-1'] });
      const expected = expectedKeys(s, { regions: ['eu-west-1'] });
      expect(expected.map((k) => `${k.region}:${k.keyId}:${k.status}`)).toEqual([`eu-west-1:${MRK}:NOT_APPLICABLE`, 'eu-west-1:plain-eu:PASS', `us-east-1:${MRK}:FAIL`]);
      expectInvariant(run.keys, expected);
      const primary = get(run, 'us-east-1', MRK);
      expect(primary.reason).toContain(`Read outside the scan's regions because a replica in scope names it as primary: ${arn('eu-west-1', B, MRK)}.`);
      expect(get(run, 'eu-west-1', MRK).reason).toBe(`Multi-Region replica key: rotation is set on its primary key ${arn('us-east-1', B, MRK)}, judged FAIL in us-east-1 (read for this replica: its region is outside the scan).`);
      // The replica carries the status its primary is reported with (the reports count it with its set).
      expect(get(run, 'eu-west-1', MRK).primaryStatus).toBe('FAIL');
      expect(get(run, 'eu-west-1', 'plain-eu').primaryStatus).toBeUndefined();
      // Only the scan's regions are coverage rows; the primary was read, not its region listed.
      expect(run.outcome.header.coverage.regions.filter((r) => r.accountId === B).map((r) => r.region)).toEqual(['eu-west-1']);
      expect(sim.stats().callsByScope[`${B}|us-east-1|kms:ListKeys`]).toBeUndefined();
      expect(sim.stats().callsByScope[`${B}|us-east-1|kms:GetKeyRotationStatus`]).toBe(1);
      expect(run.outcome.coverageComplete).toBe(true);
      expect(exit(run)).toBe(1);
    });
  });

  it('a primary in scope: the replica names it and its verdict', async () => {
    const s = mrScenario({ enabled: true, periodDays: 180 });
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      expect(get(run, 'eu-west-1', MRK).reason).toBe(`Multi-Region replica key: rotation is set on its primary key ${arn('us-east-1', B, MRK)}, judged PASS in us-east-1.`);
      expect(get(run, 'eu-west-1', MRK).primaryStatus).toBe('PASS');
    });
  });

  it('a primary that cannot be read makes its replicas ERROR (never NOT_APPLICABLE), and the run exits 2', async () => {
    const s = mrScenario();
    await withSim({ scenario: s, faults: [{ accounts: [B], regions: ['us-east-1'], operations: ['kms:DescribeKey'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { regions: ['eu-west-1'] });
      // The unreadable primary is no row (it is outside the scan); its replica carries the error.
      expectInvariant(run.keys, expectedKeys(s, { regions: ['eu-west-1'] }).filter((k) => k.region === 'eu-west-1'), (k) => k.keyId === MRK);
      expect(get(run, 'eu-west-1', MRK)).toMatchObject({ status: 'ERROR', error: { code: 'AccessDeniedException', operation: 'kms:DescribeKey' } });
      expect(get(run, 'eu-west-1', MRK).reason).toContain(`its primary key ${arn('us-east-1', B, MRK)} could not be read`);
      expect(exit(run)).toBe(2);
    });
  });

  it('a primary read but not judgeable (GetKeyRotationStatus denied): both ERROR', async () => {
    const s = mrScenario();
    await withSim({ scenario: s, faults: [{ accounts: [B], regions: ['us-east-1'], operations: ['kms:GetKeyRotationStatus'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { regions: ['eu-west-1'] });
      expectInvariant(run.keys, expectedKeys(s, { regions: ['eu-west-1'] }), (k) => k.keyId === MRK);
      expect(get(run, 'us-east-1', MRK).status).toBe('ERROR');
      expect(get(run, 'eu-west-1', MRK)).toMatchObject({ status: 'ERROR', error: { code: 'AccessDeniedException', operation: 'kms:GetKeyRotationStatus' } });
    });
  });

  it('a replica that names no primary key: ERROR "no primary found", and the run exits 2', async () => {
    const s = mrScenario();
    const rewrite = { path: 'KeyMetadata.MultiRegionConfiguration.PrimaryKey', action: 'drop' as const, where: { 'KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType': 'REPLICA' } };
    await withSim({ scenario: s, faults: [{ kind: 'rewrite', operations: ['kms:DescribeKey'], rewrite }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s), (k) => k.keyId === MRK && k.region === 'eu-west-1');
      expect(get(run, 'eu-west-1', MRK)).toMatchObject({ status: 'ERROR', error: { code: 'NoPrimaryFound', operation: 'kms:DescribeKey' } });
      expect(exit(run)).toBe(2);
    });
  });

  it('a replica naming a primary in another account: ERROR (ReplicateKey is not cross-account), never NOT_APPLICABLE', async () => {
    const s = mrScenario();
    const elsewhere = arn('us-east-1', '333333333333', MRK);
    const rewrite = { path: 'KeyMetadata.MultiRegionConfiguration.PrimaryKey.Arn', action: 'set' as const, value: elsewhere, where: { 'KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType': 'REPLICA' } };
    await withSim({ scenario: s, faults: [{ kind: 'rewrite', operations: ['kms:DescribeKey'], rewrite }] }, async (sim) => {
      const run = await scan(sim, { regions: ['eu-west-1'] });
      expect(get(run, 'eu-west-1', MRK)).toMatchObject({ status: 'ERROR', error: { code: 'PrimaryInOtherAccount' } });
      expect(get(run, 'eu-west-1', MRK).reason).toContain(elsewhere);
      expect(exit(run)).toBe(2);
    });
  });

  it('mid-UpdatePrimaryRegion (both keys REPLICA): looked at again, then ERROR "no primary found"', async () => {
    const s = mrScenario();
    const primary = s.accounts[1]!.keys[0]!;
    await withSim({ scenario: s, faults: midUpdatePrimaryRegionFaults(B, primary, 'eu-west-1') }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s), (k) => k.keyId === MRK);
      for (const region of ['us-east-1', 'eu-west-1']) {
        expect(get(run, region, MRK)).toMatchObject({ status: 'ERROR', error: { code: 'NoPrimaryFound' } });
        expect(get(run, region, MRK).reason).toMatch(/no primary found .* also when read again later in the scan/);
      }
      // Each key described once while listing its region, and once more for the second look.
      expect(sim.stats().callsByScope[`${B}|us-east-1|kms:DescribeKey`]).toBe(2);
      expect(exit(run)).toBe(2);
    });
  });

  it('mid-UpdatePrimaryRegion that settles before the second look: judged through the primary', async () => {
    const s = mrScenario();
    const primary = s.accounts[1]!.keys[0]!;
    await withSim({ scenario: s, faults: midUpdatePrimaryRegionFaults(B, primary, 'eu-west-1', 1) }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      expect(get(run, 'us-east-1', MRK).status).toBe('FAIL');
      expect(get(run, 'eu-west-1', MRK).reason).toContain('judged FAIL in us-east-1');
    });
  });
});

describe('an independent emulator: KeyUsage omitted, primaries reported as REPLICA naming themselves', () => {
  it('judges a generated organization right: every key the oracle\'s status, inferences recorded on the rows', async () => {
    const s = generateScenario({ seed: 21, accounts: 6, regions: 3, keysPerRegion: 5 });
    const primaries = s.accounts.flatMap((a) => a.keys.filter((k) => k.multiRegion?.type === 'PRIMARY'));
    expect(primaries.length).toBeGreaterThan(0);
    await withSim({ scenario: s, faults: independentEmulatorFaults() }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      const judged = run.keys.filter((k) => k.keySpec === 'SYMMETRIC_DEFAULT');
      expect(judged.length).toBeGreaterThan(20);
      // Without the inference these keys would be ERROR ("answered without KeyUsage"): most of them PASS or FAIL here.
      expect(judged.filter((k) => k.status === 'PASS' || k.status === 'FAIL').length).toBeGreaterThan(5);
      for (const key of judged) expect(key.inferences).toContain('KeyUsage absent: ENCRYPT_DECRYPT inferred (the only usage of a SYMMETRIC_DEFAULT key).');
      const primaryRows = run.keys.filter((k) => k.multiRegionType === 'PRIMARY');
      expect(primaryRows.length).toBeGreaterThan(0);
      for (const key of primaryRows) {
        expect(['PASS', 'FAIL']).toContain(key.status);
        expect(key.inferences).toContain('DescribeKey said REPLICA but named this key as its own primary: judged as the primary.');
      }
    });
  });
});

describe('KeySpec absent (older answers carry only CustomerMasterKeySpec)', () => {
  it('reads CustomerMasterKeySpec, judges every key as the oracle does, and records the inference on the row', async () => {
    const s = generateScenario({ seed: 8, accounts: 3, regions: 2, keysPerRegion: 6 });
    await withSim({ scenario: s, faults: [{ kind: 'rewrite', operations: ['kms:DescribeKey'], rewrite: { path: 'KeyMetadata.KeySpec', action: 'drop' } }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      const symmetric = run.keys.filter((k) => k.keySpec === 'SYMMETRIC_DEFAULT');
      expect(symmetric.length).toBeGreaterThan(5);
      for (const key of symmetric) expect(key.inferences).toContain('KeySpec absent: read CustomerMasterKeySpec "SYMMETRIC_DEFAULT".');
    });
  });
});

describe('answers without members the verdict needs', () => {
  const s = (): SimScenario =>
    simScenario({
      accounts: [
        { id: A },
        { id: B, keys: [{ region: 'eu-west-1', keyId: 'absent' }, { region: 'eu-west-1', keyId: 'null' }, { region: 'eu-west-1', keyId: 'string' }, { region: 'eu-west-1', keyId: 'fine', rotation: { enabled: true, periodDays: 365 } }] },
      ],
    });

  it('KeyRotationEnabled absent, null or not a boolean: ERROR naming the member (no evidence is no FAIL)', async () => {
    const scenario = s();
    await withSim(
      {
        scenario,
        faults: [
          { kind: 'rewrite', keyIds: ['absent'], operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'KeyRotationEnabled', action: 'drop' } },
          { kind: 'rewrite', keyIds: ['null'], operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'KeyRotationEnabled', action: 'null' } },
          { kind: 'rewrite', keyIds: ['string'], operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'KeyRotationEnabled', action: 'set', value: 'false' } },
          // An unknown member changes nothing.
          { kind: 'rewrite', keyIds: ['fine'], operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'RotationPolicyFromTheFuture', action: 'set', value: { x: 1 } } },
        ],
      },
      async (sim) => {
        const run = await scan(sim);
        expectInvariant(run.keys, expectedKeys(scenario), (k) => k.keyId !== 'fine');
        for (const id of ['absent', 'null', 'string']) {
          expect(get(run, 'eu-west-1', id)).toMatchObject({
            status: 'ERROR',
            reason: 'Could not check: kms:GetKeyRotationStatus answered without a boolean KeyRotationEnabled (no evidence is no verdict).',
            error: { code: 'IncompleteResponse', operation: 'kms:GetKeyRotationStatus' },
          });
        }
        expect(get(run, 'eu-west-1', 'fine').status).toBe('PASS');
        expect(exit(run)).toBe(2);
      },
    );
  });

  it('enum values newer than the code knows: ERROR for the members that decide (Origin, KeyState, MultiRegionKeyType), the AWS rule for KeySpec', async () => {
    const scenario = s();
    const set = (keyId: string, path: string, value: unknown) => ({ kind: 'rewrite' as const, keyIds: [keyId], operations: ['kms:DescribeKey'], rewrite: { path, action: 'set' as const, value } });
    await withSim(
      {
        scenario,
        faults: [
          set('absent', 'KeyMetadata.Origin', 'QUANTUM_VAULT'),
          set('null', 'KeyMetadata.KeyState', 'Hibernating'),
          set('string', 'KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType', 'TERTIARY'),
          set('fine', 'KeyMetadata.KeySpec', 'SYMMETRIC_NEXT'),
        ],
      },
      async (sim) => {
        const run = await scan(sim);
        // KeySpec other than SYMMETRIC_DEFAULT: AWS rotates only SYMMETRIC_DEFAULT keys, so NOT_APPLICABLE is the one answer.
        const expected = expectedKeys(scenario).map((k) => (k.keyId === 'fine' ? { ...k, status: 'NOT_APPLICABLE' as const } : k));
        expectInvariant(run.keys, expected, (k) => k.keyId !== 'fine');
        expect(get(run, 'eu-west-1', 'absent').reason).toContain('a known Origin (answered "QUANTUM_VAULT")');
        expect(get(run, 'eu-west-1', 'null').reason).toContain('a known KeyState (answered "Hibernating")');
        expect(get(run, 'eu-west-1', 'string').reason).toContain('MultiRegionConfiguration.MultiRegionKeyType "TERTIARY"');
      },
    );
  });

  it('NextMarker without Truncated: paging goes on (every alias of the key read), and the region says so', async () => {
    const aliases = Array.from({ length: 130 }, (_, i) => `alias/a-${String(i).padStart(3, '0')}`);
    const scenario = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'many', aliases }] }] });
    await withSim({ scenario, faults: [{ kind: 'rewrite', operations: ['kms:ListAliases', 'kms:ListKeys'], rewrite: { path: 'Truncated', action: 'drop' } }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(scenario));
      expect(get(run, 'eu-west-1', 'many').aliases).toEqual(aliases);
      expect(cov(run, B, 'eu-west-1')!.reason).toContain('kms:ListAliases answered a NextMarker without Truncated: paged on.');
    });
  });
});

describe('NextMarker without Truncated on the evidence calls', () => {
  it('ListKeyRotations and ListResourceTags page on to the end, and the key\'s row says so', async () => {
    const start = Date.parse('2020-01-01T00:00:00Z');
    const rotations = Array.from({ length: 1001 }, (_, i) => ({ date: new Date(start + i * 86_400_000).toISOString(), type: 'ON_DEMAND' as const }));
    const tags = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`tag-${String(i).padStart(2, '0')}`, `v${i}`]));
    const scenario = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'long', rotation: { enabled: true, periodDays: 365 }, rotations, tags }] }] });
    await withSim({ scenario, faults: [{ kind: 'rewrite', operations: ['kms:ListKeyRotations', 'kms:ListResourceTags'], rewrite: { path: 'Truncated', action: 'drop' } }] }, async (sim) => {
      const run = await scan(sim, { collectTags: 'all' });
      expectInvariant(run.keys, expectedKeys(scenario));
      const key = get(run, 'eu-west-1', 'long');
      expect(key.lastRotationDate).toBe(rotations.at(-1)!.date);
      expect(Object.keys(key.tags ?? {})).toHaveLength(60);
      expect(key.inferences).toEqual(expect.arrayContaining(['kms:ListKeyRotations answered a NextMarker without Truncated: paged on.', 'kms:ListResourceTags answered a NextMarker without Truncated: paged on.']));
    });
  });
});

describe('keys KMS is still creating or updating', () => {
  const scenario = (): SimScenario => simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'busy' }, { region: 'eu-west-1', keyId: 'other', rotation: { enabled: true, periodDays: 365 } }] }] });

  it('looked at again after the rest of the region: judged when it settled', async () => {
    const s = scenario();
    await withSim({ scenario: s, faults: transitionalKeyFaults(B, s.accounts[1]!.keys[0]!, 'Creating', 1) }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      expect(sim.stats().callsByScope[`${B}|eu-west-1|kms:DescribeKey`]).toBe(3);
    });
  });

  it.each(['Creating', 'Updating'] as const)('still %s at the second look: ERROR naming the state', async (state) => {
    const s = scenario();
    await withSim({ scenario: s, faults: transitionalKeyFaults(B, s.accounts[1]!.keys[0]!, state) }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s), (k) => k.keyId === 'busy');
      expect(get(run, 'eu-west-1', 'busy')).toMatchObject({ status: 'ERROR', keyState: state, error: { code: 'KeyStateNotReady' } });
      expect(get(run, 'eu-west-1', 'busy').reason).toContain(`in state ${state}`);
      expect(exit(run)).toBe(2);
    });
  });
});

describe('ListKeys entries without a KeyId', () => {
  it('are a coverage error for that region (the listed keys still judged), and the run exits 2', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'k1', rotation: { enabled: true, periodDays: 365 } }] }] });
    const keys = [{ KeyId: 'k1', KeyArn: arn('eu-west-1', B, 'k1') }, { KeyArn: arn('eu-west-1', B, 'ghost') }];
    await withSim({ scenario: s, faults: [{ kind: 'rewrite', accounts: [B], regions: ['eu-west-1'], operations: ['kms:ListKeys'], rewrite: { path: 'Keys', action: 'set', value: keys } }] }, async (sim) => {
      const run = await scan(sim);
      expectInvariant(run.keys, expectedKeys(s));
      expect(cov(run, B, 'eu-west-1')).toMatchObject({ status: 'error', keyCount: 1, error: { code: 'IncompleteResponse', operation: 'kms:ListKeys' }, reason: 'kms:ListKeys listed 1 entry without a KeyId: that key was not judged.' });
      expect(exit(run)).toBe(2);
    });
  });
});

describe('evidence is not verdict', () => {
  it('ListResourceTags denied (--collect-tags all): tags empty, an evidence gap, status unchanged', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'tagged', tags: { Owner: 'x' } }, { region: 'eu-west-1', keyId: 'ok', tags: { Owner: 'y' }, rotation: { enabled: true, periodDays: 90 } }] }] });
    await withSim({ scenario: s, faults: [{ keyIds: ['tagged'], operations: ['kms:ListResourceTags'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { collectTags: 'all' });
      expectInvariant(run.keys, expectedKeys(s));
      expect(get(run, 'eu-west-1', 'tagged')).toMatchObject({ status: 'FAIL', tags: null, evidenceGaps: [{ evidence: 'tags', error: { code: 'AccessDeniedException', operation: 'kms:ListResourceTags' } }] });
      expect(get(run, 'eu-west-1', 'ok')).toMatchObject({ status: 'PASS', tags: { Owner: 'y' }, evidenceGaps: [] });
      expect(exit(run)).toBe(1);
    });
  });
});

describe('DescribeRegions denied under --regions all', () => {
  it('the caller\'s own DescribeRegions also denied: the partition\'s regions are scanned, opt-in ones answering "not recognised" read as not enabled (inferred)', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'k' }, { region: 'us-west-2', keyId: 'k2', rotation: { enabled: true, periodDays: 365 } }] }] });
    await withSim({ scenario: s, faults: [{ operations: ['ec2:DescribeRegions'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { regions: 'all' });
      expectInvariant(run.keys, expectedKeys(s));
      const account = run.outcome.header.coverage.accounts.find((a) => a.accountId === B)!;
      expect(account).toMatchObject({ status: 'scanned', error: { code: 'UnauthorizedOperation', operation: 'ec2:DescribeRegions' } });
      expect(account.reason).toMatch(/^Region list inferred: .*for the caller; scanned the 34 regions of partition aws/);
      expect(cov(run, B, 'us-east-2')).toMatchObject({ status: 'scanned', keyCount: 0 });
      expect(cov(run, B, 'af-south-1')).toMatchObject({ status: 'not_enabled', error: { code: 'UnrecognizedClientException' } });
      expect(cov(run, B, 'af-south-1')!.reason).toMatch(/^Not enabled for this account, inferred/);
      expect(run.outcome.coverageComplete).toBe(true);
      expect(exit(run)).toBe(1);
    });
  });

  it('a region enabled by default that refuses the credentials while DescribeRegions cannot be read: a coverage error, never "not enabled"', async () => {
    const s = simScenario({ accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'fail-eu' }, { region: 'us-east-1', keyId: 'ok', rotation: { enabled: true, periodDays: 365 } }] }] });
    const faults = [{ accounts: [B], operations: ['ec2:DescribeRegions'], kind: 'access-denied' as const }, { accounts: [B], regions: ['eu-west-1'], kind: 'invalid-token' as const }];
    for (const regions of ['all', ['us-east-1', 'eu-west-1']] as const) {
      await withSim({ scenario: s, faults }, async (sim) => {
        const run = await scan(sim, { regions: regions === 'all' ? 'all' : [...regions] });
        expectInvariant(run.keys, expectedKeys(s).filter((k) => k.region !== 'eu-west-1'));
        expect(cov(run, B, 'eu-west-1')).toMatchObject({ status: 'error', error: { code: 'UnrecognizedClientException', operation: 'kms:ListKeys' } });
        expect(cov(run, B, 'eu-west-1')!.reason).toMatch(/enabled by default in every account/);
        expect(exit(run)).toBe(2);
      });
    }
  });

  it('a requested opt-in region the account\'s DescribeRegions does not list is asked, and its refusal is a coverage error', async () => {
    const s = simScenario({ regions: ['us-east-1', 'eu-west-1'], accounts: [{ id: A }, { id: B, keys: [{ region: 'eu-west-1', keyId: 'k', rotation: { enabled: true, periodDays: 365 } }] }] });
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim, { regions: ['eu-west-1', 'ap-southeast-6'] });
      expect(cov(run, B, 'ap-southeast-6')).toMatchObject({ status: 'error', error: { code: 'UnrecognizedClientException' } });
      expect(cov(run, B, 'ap-southeast-6')!.reason).toMatch(/DescribeRegions does not list/);
      expect(exit(run)).toBe(2);
    });
  });

  it('a generated organization with every member denied: every key judged over the caller\'s regions', async () => {
    const s = generateScenario({ seed: 5, accounts: 5, regions: 4, keysPerRegion: 3 });
    const members = s.accounts.filter((a) => a.id !== s.managementAccountId).map((a) => a.id);
    await withSim({ scenario: s, faults: [{ accounts: members, operations: ['ec2:DescribeRegions'], kind: 'access-denied' }] }, async (sim) => {
      const run = await scan(sim, { regions: 'all' });
      expectInvariant(run.keys, expectedKeys(s));
      const inferred = run.outcome.header.coverage.accounts.filter((a) => a.reason?.startsWith('Region list inferred'));
      expect(inferred.length).toBeGreaterThan(0);
    });
  });
});
