/**
 * End to end: every KMS-002 judgement case appears in one scan of the simulated organization,
 * through real SDK clients, with only the calls each key needs.
 */
import { describe, expect, it } from 'vitest';
import type { KeyResult } from '../../src/core/results.js';
import { generateScenario, KEY_KINDS, simScenario, type KeyInput } from '../../src/sim/index.js';
import { expectedKeys, expectInvariant, scan, withSim } from './helpers.js';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const R = 'eu-west-1';
const ROTATING = { enabled: true, periodDays: 365, nextRotationDate: '2027-01-01T00:00:00.000Z' };

const cases: (KeyInput & { keyId: string })[] = [
  {
    keyId: 'pass-365',
    region: R,
    rotation: ROTATING,
    aliases: ['alias/app', 'alias/app-2'],
    // Deliberately not in date order: the latest rotation is kept whatever the order.
    rotations: [
      { date: '2025-01-01T00:00:00.000Z', type: 'AUTOMATIC' },
      { date: '2026-01-01T00:00:00.000Z', type: 'ON_DEMAND' },
      { date: '2024-01-01T00:00:00.000Z', type: 'AUTOMATIC' },
    ],
  },
  { keyId: 'pass-omitted-period', region: R, rotation: { enabled: true } },
  { keyId: 'pass-on-demand-running', region: R, rotation: { ...ROTATING, periodDays: 90, onDemandRotationStartDate: '2026-11-01T00:00:00.000Z' } },
  { keyId: 'fail-off', region: R },
  { keyId: 'fail-730', region: R, rotation: { ...ROTATING, periodDays: 730 } },
  { keyId: 'na-disabled', region: R, keyState: 'Disabled', rotation: { enabled: false } },
  { keyId: 'na-pending-deletion', region: R, keyState: 'PendingDeletion', deletionDate: '2026-12-24T00:00:00.000Z', rotation: ROTATING },
  { keyId: 'na-pending-import', region: R, keyState: 'PendingImport', origin: 'EXTERNAL' },
  { keyId: 'na-external', region: R, origin: 'EXTERNAL', expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  { keyId: 'na-cloudhsm', region: R, origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' },
  { keyId: 'na-xks', region: R, origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-aaaaaaaaaaaaaaaaa' },
  { keyId: 'na-rsa', region: R, keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
  { keyId: 'na-rsa-encrypt', region: R, keySpec: 'RSA_3072', keyUsage: 'ENCRYPT_DECRYPT' },
  { keyId: 'na-hmac', region: R, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
  { keyId: 'na-agreement', region: R, keySpec: 'ECC_NIST_P384', keyUsage: 'KEY_AGREEMENT' },
  { keyId: 'na-aws-managed', region: R, keyManager: 'AWS', aliases: ['alias/aws/s3'], rotation: ROTATING },
  { keyId: 'mrk-primary', region: R, multiRegion: { type: 'PRIMARY', primaryRegion: R, primaryKeyId: 'mrk-primary', replicaRegions: ['us-east-1'] }, rotation: ROTATING },
  { keyId: 'mrk-primary', region: 'us-east-1', multiRegion: { type: 'REPLICA', primaryRegion: R, primaryKeyId: 'mrk-primary' }, rotation: ROTATING },
];

function scenario() {
  return simScenario({
    accounts: [
      { id: MGMT, name: 'management' },
      { id: MEMBER, name: 'workload', keys: cases },
    ],
  });
}

const byKey = (keys: KeyResult[], keyId: string, region = R): KeyResult => {
  const key = keys.find((k) => k.keyId === keyId && k.region === region);
  if (!key) throw new Error(`no result for ${keyId} in ${region}`);
  return key;
};

describe('KMS-002 end to end', () => {
  it('judges every case, with reasons, evidence and only the calls needed', async () => {
    const s = scenario();
    await withSim({ scenario: s }, async (sim) => {
      const { keys, outcome } = await scan(sim);
      expectInvariant(keys, expectedKeys(s));
      expect(outcome.coverageComplete).toBe(true);

      const pass = byKey(keys, 'pass-365');
      expect(pass).toMatchObject({ status: 'PASS', rotationEnabled: true, rotationPeriodDays: 365, lastRotationDate: '2026-01-01T00:00:00.000Z', lastRotationType: 'ON_DEMAND', nextRotationDate: '2027-01-01T00:00:00.000Z', aliases: ['alias/app', 'alias/app-2'], ruleId: 'KMS-002', severity: 'MEDIUM', accountName: 'workload', ouPath: 'Root', error: null });
      expect(pass.keyArn).toBe(`arn:aws:kms:${R}:${MEMBER}:key/pass-365`);
      expect(byKey(keys, 'pass-omitted-period')).toMatchObject({ status: 'PASS', rotationPeriodDays: null });
      expect(byKey(keys, 'pass-omitted-period').reason).toContain('365 days (the AWS default');
      expect(byKey(keys, 'pass-on-demand-running')).toMatchObject({ status: 'PASS', onDemandRotationStartDate: '2026-11-01T00:00:00.000Z' });
      expect(byKey(keys, 'fail-off')).toMatchObject({ status: 'FAIL', rotationEnabled: false, reason: 'Automatic key rotation is disabled (policy: at least every 365 days).' });
      expect(byKey(keys, 'fail-730')).toMatchObject({ status: 'FAIL', reason: 'Automatic key rotation is enabled every 730 days, longer than the policy maximum of 365 days.' });
      const reasons: Record<string, RegExp> = {
        'na-disabled': /^Disabled key/,
        'na-pending-deletion': /^Pending deletion \(deletion date 2026-12-24\)/,
        'na-pending-import': /^Imported key material|^Pending import/,
        'na-external': /^Imported key material/,
        'na-cloudhsm': /CloudHSM custom key store \(cks-1234567890abcdef0\)/,
        'na-xks': /external key store \(cks-aaaaaaaaaaaaaaaaa\)/,
        'na-rsa': /^Asymmetric key \(RSA_2048, SIGN_VERIFY\)/,
        'na-rsa-encrypt': /^Asymmetric key \(RSA_3072, ENCRYPT_DECRYPT\)/,
        'na-hmac': /^HMAC key \(HMAC_256\)/,
        'na-agreement': /^Key agreement key \(ECC_NIST_P384\)/,
        'na-aws-managed': /^AWS managed key/,
      };
      for (const [keyId, reason] of Object.entries(reasons)) {
        const key = byKey(keys, keyId);
        expect(key.status, keyId).toBe('NOT_APPLICABLE');
        expect(key.reason, keyId).toMatch(reason);
        // No rotation calls for keys the rule does not apply to.
        expect(key.rotationEnabled, keyId).toBeNull();
      }
      expect(byKey(keys, 'mrk-primary')).toMatchObject({ status: 'PASS', multiRegionType: 'PRIMARY' });
      const replica = byKey(keys, 'mrk-primary', 'us-east-1');
      expect(replica).toMatchObject({ status: 'NOT_APPLICABLE', multiRegionType: 'REPLICA', primaryKeyArn: `arn:aws:kms:${R}:${MEMBER}:key/mrk-primary`, rotationEnabled: null });
      expect(replica.reason).toContain(`arn:aws:kms:${R}:${MEMBER}:key/mrk-primary`);

      // Calls: one DescribeKey per key; rotation calls only for the 6 keys the rule applies to.
      const calls = sim.stats().calls;
      expect(calls['kms:DescribeKey']).toBe(cases.length);
      expect(calls['kms:GetKeyRotationStatus']).toBe(6);
      expect(calls['kms:ListKeyRotations']).toBe(6);
      expect(calls['kms:ListResourceTags'] ?? 0).toBe(0);
      expect(outcome.header.extensions.scan).toMatchObject({ keyCalls: { eligibleKeys: 6, eligibleCalls: 18, otherKeys: cases.length - 6, otherCalls: cases.length - 6 } });
    });
  });

  it('--evaluate-disabled and --max-rotation-days change the verdicts', async () => {
    const s = scenario();
    await withSim({ scenario: s }, async (sim) => {
      const policy = { maxRotationDays: 90, evaluateDisabled: true };
      const { keys } = await scan(sim, policy);
      expectInvariant(keys, expectedKeys(s, { policy }));
      expect(byKey(keys, 'na-disabled')).toMatchObject({ status: 'FAIL' });
      expect(byKey(keys, 'pass-365')).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('365 days, longer than the policy maximum of 90 days') });
      expect(byKey(keys, 'pass-on-demand-running').status).toBe('PASS');
    });
  });

  it('collects tags when asked: every key the rule applies to and every replica, or only the failing ones', async () => {
    const s = simScenario({
      accounts: [
        {
          id: MGMT,
          keys: [
            { keyId: 'k-fail', region: R, tags: { Owner: '=1+2' } },
            { keyId: 'k-pass', region: R, rotation: ROTATING, tags: { Team: 'a' } },
            { keyId: 'k-aws', region: R, keyManager: 'AWS' },
            { keyId: 'k-rsa', region: R, keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', tags: { Team: 'signing' } },
            { keyId: 'mrk-set', region: R, multiRegion: { type: 'PRIMARY', primaryRegion: R, primaryKeyId: 'mrk-set', replicaRegions: ['us-east-1'] }, rotation: ROTATING, tags: { Team: 'p' } },
            { keyId: 'mrk-set', region: 'us-east-1', multiRegion: { type: 'REPLICA', primaryRegion: R, primaryKeyId: 'mrk-set' }, rotation: ROTATING, tags: { Team: 'r' } },
          ],
        },
      ],
    });
    await withSim({ scenario: s }, async (sim) => {
      const failing = await scan(sim, { collectTags: 'failing', regions: [R, 'us-east-1'] });
      expect(failing.keys.map((k) => [k.keyId, k.tags])).toEqual([
        ['k-aws', null],
        ['k-fail', { Owner: '=1+2' }],
        ['k-pass', null],
        ['k-rsa', null],
        ['mrk-set', null],
        ['mrk-set', null],
      ]);
      sim.resetStats();
      const all = await scan(sim, { collectTags: 'all', regions: [R, 'us-east-1'] });
      expect(all.keys.map((k) => [k.keyId, k.tags])).toEqual([
        ['k-aws', null],
        ['k-fail', { Owner: '=1+2' }],
        ['k-pass', { Team: 'a' }],
        ['k-rsa', null],
        ['mrk-set', { Team: 'p' }],
        ['mrk-set', { Team: 'r' }],
      ]);
      expect(sim.stats().calls['kms:ListResourceTags']).toBe(4);
    });
  });

  it('a generated organization with every kind of key: each judged as the oracle says', async () => {
    const s = generateScenario({ seed: 7, accounts: 12, regions: 4, keysPerRegion: 3 });
    const kinds = new Set(KEY_KINDS);
    expect(kinds.size).toBeGreaterThan(15);
    await withSim({ scenario: s }, async (sim) => {
      const { keys, outcome } = await scan(sim);
      expectInvariant(keys, expectedKeys(s));
      const statuses = new Set(keys.map((k) => k.status));
      expect([...statuses].sort()).toEqual(['FAIL', 'NOT_APPLICABLE', 'PASS']);
      expect(outcome.counts.PASS + outcome.counts.FAIL + outcome.counts.NOT_APPLICABLE).toBe(keys.length);
    });
  });
});
