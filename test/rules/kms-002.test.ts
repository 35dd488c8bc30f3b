import { describe, expect, it } from 'vitest';
import type { KeyFacts, KeyMetadataFacts, RotationFacts } from '../../src/collect/facts.js';
import { judgeSafely, kms002, needsRotationStatusSafely, rules, ruleById, type Rule } from '../../src/rules/index.js';

const policy = { maxRotationDays: 365, evaluateDisabled: false };
const ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function meta(over: Partial<KeyMetadataFacts> = {}): KeyMetadataFacts {
  return {
    keyManager: 'CUSTOMER',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    enabled: true,
    multiRegionType: null,
    primaryKeyArn: null,
    customKeyStoreId: null,
    creationDate: '2024-01-01T00:00:00.000Z',
    deletionDate: null,
    description: null,
    unknownMembers: [],
    ...over,
  };
}

function rotation(over: Partial<RotationFacts> = {}): RotationFacts {
  return {
    enabled: true,
    periodDays: 365,
    nextRotationDate: '2026-12-01T00:00:00.000Z',
    onDemandRotationStartDate: null,
    lastRotationDate: '2025-12-01T00:00:00.000Z',
    lastRotationType: 'AUTOMATIC',
    ...over,
  };
}

function facts(m: KeyMetadataFacts | null, r: RotationFacts | null = null, over: Partial<KeyFacts> = {}): KeyFacts {
  return { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', keyArn: ARN, aliases: [], metadata: m, rotation: r, tags: null, failure: null, evidenceGaps: [], inferences: [], ...over };
}

describe('KMS-002 judgement', () => {
  it('PASS: customer managed symmetric key rotating within the policy, with the evidence in the reason', () => {
    const j = kms002.judge(facts(meta(), rotation()), policy);
    expect(j).toEqual({
      status: 'PASS',
      reason: 'Automatic key rotation is enabled every 365 days (policy maximum 365 days); last rotated 2025-12-01, next rotation 2026-12-01.',
    });
  });

  it('PASS with the default period when RotationPeriodInDays is absent, and says so', () => {
    const j = kms002.judge(facts(meta(), rotation({ periodDays: null, lastRotationDate: null, lastRotationType: null, nextRotationDate: null })), policy);
    expect(j.status).toBe('PASS');
    expect(j.reason).toBe('Automatic key rotation is enabled every 365 days (the AWS default; no period was returned) (policy maximum 365 days); not rotated yet.');
  });

  it('PASS names an on-demand last rotation', () => {
    const j = kms002.judge(facts(meta(), rotation({ periodDays: 90, lastRotationType: 'ON_DEMAND' })), policy);
    expect(j.status).toBe('PASS');
    expect(j.reason).toContain('every 90 days');
    expect(j.reason).toContain('last rotated 2025-12-01 (on demand)');
  });

  it('FAIL when rotation is disabled', () => {
    expect(kms002.judge(facts(meta(), rotation({ enabled: false })), policy)).toEqual({
      status: 'FAIL',
      reason: 'Automatic key rotation is disabled (policy: at least every 365 days).',
    });
  });

  it('FAIL with both numbers when the period exceeds the policy', () => {
    const j = kms002.judge(facts(meta(), rotation({ periodDays: 730 })), { ...policy, maxRotationDays: 400 });
    expect(j).toEqual({ status: 'FAIL', reason: 'Automatic key rotation is enabled every 730 days, longer than the policy maximum of 400 days.' });
  });

  it('the default 365-day period fails a stricter policy', () => {
    const j = kms002.judge(facts(meta(), rotation({ periodDays: null })), { ...policy, maxRotationDays: 180 });
    expect(j.status).toBe('FAIL');
    expect(j.reason).toContain('365 days (the AWS default');
    expect(j.reason).toContain('180 days');
  });

  it('a period equal to the maximum passes', () => {
    expect(kms002.judge(facts(meta(), rotation({ periodDays: 180 })), { ...policy, maxRotationDays: 180 }).status).toBe('PASS');
  });

  const notApplicable: [string, Partial<KeyMetadataFacts>, string][] = [
    ['AWS managed', { keyManager: 'AWS' }, 'AWS managed key: AWS rotates its key material every year and customers cannot change that.'],
    ['asymmetric RSA', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, 'Asymmetric key (RSA_2048, SIGN_VERIFY): automatic rotation applies only to symmetric encryption keys.'],
    ['asymmetric ECC encrypt', { keySpec: 'ECC_NIST_P256', keyUsage: 'ENCRYPT_DECRYPT' }, 'Asymmetric key (ECC_NIST_P256, ENCRYPT_DECRYPT): automatic rotation applies only to symmetric encryption keys.'],
    ['HMAC', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, 'HMAC key (HMAC_256): automatic rotation applies only to symmetric encryption keys.'],
    ['key agreement', { keySpec: 'ECC_NIST_P384', keyUsage: 'KEY_AGREEMENT' }, 'Key agreement key (ECC_NIST_P384): automatic rotation applies only to symmetric encryption keys.'],
    ['imported', { origin: 'EXTERNAL' }, 'Imported key material (Origin EXTERNAL): KMS cannot rotate it automatically; only on-demand rotation is possible.'],
    ['CloudHSM', { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' }, 'Key in an AWS CloudHSM custom key store (cks-1234567890abcdef0): automatic rotation is not supported.'],
    ['external key store', { origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-abc' }, 'Key in an external key store (cks-abc): automatic rotation is not supported.'],
    [
      'multi-Region replica',
      { multiRegionType: 'REPLICA', primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-1' },
      'Multi-Region replica key: rotation is set on its primary key arn:aws:kms:us-east-1:111111111111:key/mrk-1.',
    ],
    ['pending deletion', { keyState: 'PendingDeletion', enabled: false, deletionDate: '2027-01-05T00:00:00.000Z' }, 'Pending deletion (deletion date 2027-01-05): a key scheduled for deletion is not rotated.'],
    ['pending replica deletion', { keyState: 'PendingReplicaDeletion' }, 'Pending replica deletion: a multi-Region key waiting for its replicas to be deleted is not rotated.'],
    ['pending import', { keyState: 'PendingImport' }, 'Pending import: the key has no key material yet, so there is nothing to rotate.'],
    ['disabled', { keyState: 'Disabled', enabled: false }, 'Disabled key: KMS does not rotate the key material of a disabled key (judge disabled keys with --evaluate-disabled).'],
  ];
  it.each(notApplicable)('NOT_APPLICABLE: %s, from metadata alone (no rotation calls)', (_name, over, reason) => {
    const m = meta(over);
    expect(kms002.needsRotationStatus(m, policy)).toBe(false);
    const { judgedThroughPrimary, ...judgement } = kms002.judge(facts(m), policy);
    expect(judgement).toEqual({ status: 'NOT_APPLICABLE', reason });
    // Only a replica defers its verdict to its primary (the scan resolves it: src/engine/multi-region.ts).
    expect(judgedThroughPrimary).toBe(m.multiRegionType === 'REPLICA' ? m.primaryKeyArn : undefined);
  });

  it('--evaluate-disabled: a disabled key with rotation off is never told KMS rotates it when enabled again', () => {
    const m = meta({ keyState: 'Disabled', enabled: false });
    const p = { ...policy, evaluateDisabled: true };
    const off = kms002.judge(facts(m, rotation({ enabled: false })), p);
    expect(off.status).toBe('FAIL');
    expect(off.reason).not.toMatch(/rotates it when it is enabled again/);
    expect(off.reason).toContain('rotation is off: KMS will not rotate it when it is enabled again unless rotation is turned on');
    expect(kms002.judge(facts(m, rotation()), p).reason).toContain('rotation that is on resumes when it is enabled again');
  });

  it('ERROR naming the member when GetKeyRotationStatus had no boolean KeyRotationEnabled', () => {
    const j = kms002.judge(
      facts(meta(), null, { failure: { kind: 'incomplete', detail: 'KeyRotationEnabled', error: { code: 'IncompleteResponse', message: 'absent', operation: 'kms:GetKeyRotationStatus' } } }),
      policy,
    );
    expect(j).toEqual({ status: 'ERROR', reason: 'Could not check: kms:GetKeyRotationStatus answered without a boolean KeyRotationEnabled (no evidence is no verdict).' });
  });

  it('ERROR naming the state for a key still Creating after a second look', () => {
    const j = kms002.judge(facts(meta({ keyState: 'Creating' }), null, { failure: { kind: 'not-ready', detail: 'Creating', error: { code: 'KeyStateNotReady', message: 'x', operation: 'kms:DescribeKey' } } }), policy);
    expect(j.status).toBe('ERROR');
    expect(j.reason).toContain('in state Creating');
  });

  it.each<[string, Partial<KeyMetadataFacts>, string]>([
    ['an Origin newer than the rule knows', { origin: 'NEW_ORIGIN' }, 'a known Origin (answered "NEW_ORIGIN")'],
    ['a KeyManager newer than the rule knows', { keyManager: 'PARTNER' }, 'a known KeyManager (answered "PARTNER")'],
    ['a KeyState newer than the rule knows', { keyState: 'Hibernating' }, 'a known KeyState (answered "Hibernating")'],
    ['an unknown MultiRegionKeyType', { unknownMembers: ['MultiRegionConfiguration.MultiRegionKeyType "TERTIARY"'] }, 'MultiRegionConfiguration.MultiRegionKeyType "TERTIARY"'],
  ])('ERROR for %s (never a guessed verdict)', (_name, over, named) => {
    const m = meta(over);
    expect(kms002.needsRotationStatus(m, policy)).toBe(false);
    const j = kms002.judge(facts(m, rotation()), policy);
    expect(j.status).toBe('ERROR');
    expect(j.reason).toContain(named);
  });

  it('a ListKeyRotations gap leaves the verdict and says the history is not available', () => {
    const gap = { evidence: 'rotation-history' as const, error: { code: 'AccessDeniedException', message: 'no', operation: 'kms:ListKeyRotations' } };
    const j = kms002.judge(facts(meta(), rotation({ lastRotationDate: null, lastRotationType: null }), { evidenceGaps: [gap] }), policy);
    expect(j.status).toBe('PASS');
    expect(j.reason).toContain('rotation history not available (kms:ListKeyRotations failed with AccessDeniedException)');
  });

  it('a multi-Region primary is judged like any key', () => {
    const m = meta({ multiRegionType: 'PRIMARY' });
    expect(kms002.needsRotationStatus(m, policy)).toBe(true);
    expect(kms002.judge(facts(m, rotation({ enabled: false })), policy).status).toBe('FAIL');
  });

  it('--evaluate-disabled judges a disabled key like an enabled one, and says it is disabled', () => {
    const m = meta({ keyState: 'Disabled', enabled: false });
    const p = { ...policy, evaluateDisabled: true };
    expect(kms002.needsRotationStatus(m, p)).toBe(true);
    const fail = kms002.judge(facts(m, rotation({ enabled: false })), p);
    expect(fail.status).toBe('FAIL');
    expect(fail.reason).toContain('The key is disabled');
    expect(kms002.judge(facts(m, rotation()), p).status).toBe('PASS');
  });

  it('an eligible key needs its rotation status', () => {
    expect(kms002.needsRotationStatus(meta(), policy)).toBe(true);
  });

  it('ERROR when a call failed, naming the operation and code, never FAIL', () => {
    const j = kms002.judge(
      facts(meta(), null, { failure: { kind: 'call-failed', error: { code: 'AccessDeniedException', message: 'no', operation: 'kms:GetKeyRotationStatus' } } }),
      policy,
    );
    expect(j).toEqual({ status: 'ERROR', reason: 'Could not check: kms:GetKeyRotationStatus failed with AccessDeniedException.' });
  });

  it('ERROR for a key deleted during the scan', () => {
    const j = kms002.judge(facts(null, null, { failure: { kind: 'deleted', error: { code: 'NotFoundException', message: 'gone', operation: 'kms:DescribeKey' } } }), policy);
    expect(j).toEqual({ status: 'ERROR', reason: 'Could not check: the key was deleted during the scan (kms:DescribeKey answered NotFoundException).' });
  });

  it('ERROR when an eligible key has no rotation facts, or metadata lacks a field', () => {
    expect(kms002.judge(facts(meta(), null), policy).status).toBe('ERROR');
    expect(kms002.judge(facts(null), policy).status).toBe('ERROR');
    const m = meta({ keySpec: null });
    expect(kms002.needsRotationStatus(m, policy)).toBe(false);
    expect(kms002.judge(facts(m), policy)).toEqual({ status: 'ERROR', reason: 'Could not check: kms:DescribeKey answered without KeySpec.' });
  });
});

describe('rule registry and wrapper', () => {
  it('registers KMS-002', () => {
    expect(rules.map((r) => r.id)).toEqual(['KMS-002']);
    expect(ruleById('KMS-002')).toBe(kms002);
    expect(ruleById('nope')).toBeUndefined();
  });

  it('turns a throwing rule into an ERROR result with the rule error recorded', () => {
    const broken: Rule = {
      ...kms002,
      id: 'BROKEN-1',
      judge: () => {
        throw new Error('boom');
      },
      needsRotationStatus: () => {
        throw new Error('boom');
      },
    };
    expect(judgeSafely(broken, facts(meta(), rotation()), policy)).toEqual({
      status: 'ERROR',
      reason: 'Could not check: rule BROKEN-1 failed (boom).',
      ruleError: { code: 'RuleError', message: 'boom', operation: 'rule:BROKEN-1' },
    });
    expect(needsRotationStatusSafely(broken, meta(), policy)).toBe(true);
    expect(judgeSafely(kms002, facts(meta(), rotation()), policy).ruleError).toBeNull();
  });
});
