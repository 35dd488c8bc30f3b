import {
  DescribeKeyCommand,
  DisabledException,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  InvalidMarkerException,
  KMSServiceException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  paginateListAliases,
  paginateListKeyRotations,
  paginateListKeys,
  paginateListResourceTags,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type SimKey, type Simulator } from '../../src/sim/index.js';
import { failure, kmsClient } from './helpers.js';

const MGMT = '111111111111';
const R = 'eu-west-1';

function keys(): Partial<SimKey>[] {
  const many = Array.from({ length: 250 }, (_, i) => ({ keyId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  return [
    ...many,
    { keyId: 'rot-365', rotation: { enabled: true, periodDays: 365, nextRotationDate: '2027-01-01T00:00:00.000Z' }, aliases: ['alias/app', 'alias/app-2'], tags: { Owner: '=1+2', Team: 'Sécurité' }, description: '=HYPERLINK("x")', rotations: [{ date: '2024-01-01T00:00:00.000Z', type: 'AUTOMATIC' }, { date: '2024-06-01T00:00:00.000Z', type: 'ON_DEMAND' }, { date: '2025-01-01T00:00:00.000Z', type: 'AUTOMATIC' }] },
    { keyId: 'rot-omitted', rotation: { enabled: true, nextRotationDate: '2027-01-01T00:00:00.000Z' } },
    { keyId: 'rot-off' },
    { keyId: 'on-demand', rotation: { enabled: true, periodDays: 90, onDemandRotationStartDate: '2026-11-01T00:00:00.000Z' } },
    { keyId: 'disabled', keyState: 'Disabled', rotation: { enabled: true, periodDays: 730 } },
    { keyId: 'pending-deletion', keyState: 'PendingDeletion', deletionDate: '2026-12-24T00:00:00.000Z', rotation: { enabled: true, periodDays: 365 } },
    { keyId: 'pending-import', keyState: 'PendingImport', origin: 'EXTERNAL' },
    { keyId: 'external', origin: 'EXTERNAL', expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: '2027-06-01T00:00:00.000Z' },
    { keyId: 'cloudhsm', origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' },
    { keyId: 'xks', origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-aaaaaaaaaaaaaaaaa' },
    { keyId: 'rsa', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
    { keyId: 'ecc', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
    { keyId: 'hmac', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
    { keyId: 'agree', keySpec: 'ECC_NIST_P384', keyUsage: 'KEY_AGREEMENT' },
    { keyId: 'aws-s3', keyManager: 'AWS', aliases: ['alias/aws/s3'], rotation: { enabled: true, periodDays: 365 } },
    { keyId: 'mrk-primary', multiRegion: { type: 'PRIMARY', primaryRegion: R, primaryKeyId: 'mrk-primary', replicaRegions: ['us-east-1'] }, rotation: { enabled: true, periodDays: 180 }, rotations: [{ date: '2025-05-01T00:00:00.000Z', type: 'AUTOMATIC' }] },
  ].map((k) => ({ region: R, ...k }) as Partial<SimKey>);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    scenario: simScenario({
      accounts: [
        {
          id: MGMT,
          keys: [
            ...(keys() as (Partial<SimKey> & { region: string })[]),
            { region: 'us-east-1', keyId: 'mrk-primary', multiRegion: { type: 'REPLICA', primaryRegion: R, primaryKeyId: 'mrk-primary' }, rotation: { enabled: false } },
          ],
        },
      ],
    }),
    now: () => Date.parse('2026-11-28T00:00:00Z'),
  });
});
afterAll(() => sim.stop());

const client = () => kmsClient(sim, { region: R });

describe('ListKeys', () => {
  it('pages with Limit/Marker/Truncated to the last page, AWS managed keys included', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateListKeys({ client: client(), pageSize: 100 }, {})) {
      pages++;
      for (const k of page.Keys ?? []) {
        ids.push(k.KeyId!);
        expect(k.KeyArn).toBe(`arn:aws:kms:${R}:${MGMT}:key/${k.KeyId}`);
      }
    }
    expect(pages).toBe(3);
    expect(ids).toHaveLength(266);
    expect(new Set(ids).size).toBe(266);
    expect(ids).toContain('aws-s3');
  });

  it('defaults to 100 keys and rejects Limit outside 1..1000', async () => {
    const first = await client().send(new ListKeysCommand({}));
    expect(first.Keys).toHaveLength(100);
    expect(first.Truncated).toBe(true);
    expect(first.NextMarker).toEqual(expect.any(String));
    const err = await failure(client().send(new ListKeysCommand({ Limit: 1001 })));
    expect(err).toBeInstanceOf(KMSServiceException);
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const last = await client().send(new ListKeysCommand({ Limit: 1000 }));
    expect(last.Truncated).toBe(false);
    expect(last.NextMarker).toBeUndefined();
  });

  it('rejects a forged marker with InvalidMarkerException', async () => {
    const err = await failure(client().send(new ListKeysCommand({ Marker: 'not-a-marker' })));
    expect(err).toBeInstanceOf(InvalidMarkerException);
  });

  it('answers an empty list in a region without keys', async () => {
    const out = await kmsClient(sim, { region: 'us-east-2' }).send(new ListKeysCommand({}));
    expect(out.Keys).toEqual([]);
    expect(out.Truncated).toBe(false);
  });
});

describe('ListAliases', () => {
  it('lists customer and AWS managed aliases, with predefined aliases that have no target', async () => {
    const all = [];
    for await (const page of paginateListAliases({ client: client(), pageSize: 5 }, {})) all.push(...(page.Aliases ?? []));
    const byName = new Map(all.map((a) => [a.AliasName, a]));
    expect(byName.get('alias/app')).toMatchObject({ AliasArn: `arn:aws:kms:${R}:${MGMT}:alias/app`, TargetKeyId: 'rot-365' });
    expect(byName.get('alias/aws/s3')?.TargetKeyId).toBe('aws-s3');
    expect(byName.get('alias/aws/ebs')).toBeDefined();
    expect(byName.get('alias/aws/ebs')?.TargetKeyId).toBeUndefined();
    expect(all.length).toBe(byName.size);
  });

  it('filters by KeyId and enforces Limit 1..100', async () => {
    const out = await client().send(new ListAliasesCommand({ KeyId: 'rot-365' }));
    expect(out.Aliases?.map((a) => a.AliasName)).toEqual(['alias/app', 'alias/app-2']);
    expect((await failure(client().send(new ListAliasesCommand({ Limit: 101 })))).name).toBe('ValidationException');
  });
});

describe('DescribeKey', () => {
  it('returns the complete KeyMetadata with epoch-second dates the SDK turns into Dates', async () => {
    const { KeyMetadata: m } = await client().send(new DescribeKeyCommand({ KeyId: 'rot-365' }));
    expect(m).toMatchObject({
      AWSAccountId: MGMT,
      KeyId: 'rot-365',
      Arn: `arn:aws:kms:${R}:${MGMT}:key/rot-365`,
      Enabled: true,
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS',
      KeyState: 'Enabled',
      MultiRegion: false,
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      Description: '=HYPERLINK("x")',
    });
    expect(m?.CreationDate).toEqual(new Date('2024-01-01T00:00:00.000Z'));
    expect(m?.SigningAlgorithms).toBeUndefined();
  });

  it('accepts key ARN, alias name and alias ARN', async () => {
    for (const id of [`arn:aws:kms:${R}:${MGMT}:key/rot-365`, 'alias/app-2', `arn:aws:kms:${R}:${MGMT}:alias/app`]) {
      const { KeyMetadata } = await client().send(new DescribeKeyCommand({ KeyId: id }));
      expect(KeyMetadata?.KeyId).toBe('rot-365');
    }
  });

  it('gives algorithms per key spec and usage', async () => {
    const meta = async (id: string) => (await client().send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!;
    expect((await meta('rsa')).SigningAlgorithms).toContain('RSASSA_PSS_SHA_256');
    expect((await meta('ecc')).SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    expect((await meta('hmac')).MacAlgorithms).toEqual(['HMAC_SHA_256']);
    expect((await meta('agree')).KeyAgreementAlgorithms).toEqual(['ECDH']);
    expect(await meta('cloudhsm')).toMatchObject({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0', CloudHsmClusterId: expect.stringMatching(/^cluster-[2-7a-zA-Z]{11,16}$/) });
    expect((await meta('xks')).XksKeyConfiguration?.Id).toEqual(expect.any(String));
    expect(await meta('external')).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date('2027-06-01T00:00:00.000Z') });
    expect(await meta('pending-deletion')).toMatchObject({ Enabled: false, KeyState: 'PendingDeletion', DeletionDate: new Date('2026-12-24T00:00:00.000Z') });
    expect((await meta('aws-s3')).KeyManager).toBe('AWS');
  });

  it('describes multi-Region primaries and replicas with the same configuration', async () => {
    const primary = (await client().send(new DescribeKeyCommand({ KeyId: 'mrk-primary' }))).KeyMetadata!;
    const replica = (await kmsClient(sim, { region: 'us-east-1' }).send(new DescribeKeyCommand({ KeyId: 'mrk-primary' }))).KeyMetadata!;
    expect(primary.MultiRegion).toBe(true);
    expect(primary.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: `arn:aws:kms:${R}:${MGMT}:key/mrk-primary`, Region: R },
      ReplicaKeys: [{ Arn: `arn:aws:kms:us-east-1:${MGMT}:key/mrk-primary`, Region: 'us-east-1' }],
    });
    expect(replica.MultiRegionConfiguration).toEqual({ ...primary.MultiRegionConfiguration, MultiRegionKeyType: 'REPLICA' });
  });

  it('answers NotFoundException for unknown keys and aliases', async () => {
    const err = await failure(client().send(new DescribeKeyCommand({ KeyId: '99999999-0000-4000-8000-000000000000' })));
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err.message).toContain('does not exist');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(await failure(client().send(new DescribeKeyCommand({ KeyId: 'alias/none' })))).toBeInstanceOf(NotFoundException);
  });

  it('refuses a key ARN of another account with AccessDeniedException', async () => {
    const err = await failure(client().send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:${R}:222222222222:key/rot-365` })));
    expect(err.name).toBe('AccessDeniedException');
  });
});

describe('GetKeyRotationStatus', () => {
  const status = (id: string, region = R) => kmsClient(sim, { region }).send(new GetKeyRotationStatusCommand({ KeyId: id }));

  it('reports enabled keys with period and next rotation date', async () => {
    const out = await status('rot-365');
    expect(out).toMatchObject({ KeyId: 'rot-365', KeyRotationEnabled: true, RotationPeriodInDays: 365, NextRotationDate: new Date('2027-01-01T00:00:00.000Z') });
    expect(out.OnDemandRotationStartDate).toBeUndefined();
  });

  it('omits RotationPeriodInDays when the scenario omits it, and reports on-demand rotations in progress', async () => {
    expect((await status('rot-omitted')).RotationPeriodInDays).toBeUndefined();
    expect(await status('on-demand')).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90, OnDemandRotationStartDate: new Date('2026-11-01T00:00:00.000Z') });
  });

  it('reports off, disabled keys keep their setting, pending deletion reads false', async () => {
    expect(await status('rot-off')).toMatchObject({ KeyRotationEnabled: false });
    expect((await status('rot-off')).RotationPeriodInDays).toBeUndefined();
    expect(await status('disabled')).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 730 });
    expect(await status('pending-deletion')).toMatchObject({ KeyRotationEnabled: false });
  });

  it('answers true/365 for AWS managed keys', async () => {
    expect(await status('aws-s3')).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  });

  it('gives a replica the rotation status of its primary', async () => {
    expect(await status('mrk-primary', 'us-east-1')).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
  });

  it('answers UnsupportedOperationException where AWS does not rotate', async () => {
    for (const id of ['pending-import', 'external', 'cloudhsm', 'xks', 'rsa', 'ecc', 'hmac', 'agree']) {
      const err = await failure(status(id));
      expect(err, id).toBeInstanceOf(UnsupportedOperationException);
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('answers NotFoundException for unknown keys and for aliases (key id or ARN only)', async () => {
    expect(await failure(status('nope'))).toBeInstanceOf(NotFoundException);
    expect(await failure(status('alias/app'))).toBeInstanceOf(NotFoundException);
    expect((await status(`arn:aws:kms:${R}:${MGMT}:key/rot-365`)).KeyRotationEnabled).toBe(true);
  });
});

describe('ListKeyRotations and ListResourceTags', () => {
  it('pages rotations with Limit/Marker', async () => {
    const rotations = [];
    for await (const page of paginateListKeyRotations({ client: client(), pageSize: 2 }, { KeyId: 'rot-365' })) rotations.push(...(page.Rotations ?? []));
    expect(rotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'ON_DEMAND', 'AUTOMATIC']);
    expect(rotations[1]).toMatchObject({ KeyId: 'rot-365', RotationDate: new Date('2024-06-01T00:00:00.000Z') });
    const replica = await kmsClient(sim, { region: 'us-east-1' }).send(new ListKeyRotationsCommand({ KeyId: 'mrk-primary' }));
    expect(replica.Rotations).toHaveLength(1);
    expect(await failure(client().send(new ListKeyRotationsCommand({ KeyId: 'rsa' })))).toBeInstanceOf(UnsupportedOperationException);
  });

  it('pages tags, values untouched', async () => {
    const tags = [];
    for await (const page of paginateListResourceTags({ client: client(), pageSize: 1 }, { KeyId: 'rot-365' })) tags.push(...(page.Tags ?? []));
    expect(tags).toEqual([{ TagKey: 'Owner', TagValue: '=1+2' }, { TagKey: 'Team', TagValue: 'Sécurité' }]);
    expect((await client().send(new ListResourceTagsCommand({ KeyId: 'aws-s3' }))).Tags).toEqual([]);
  });
});

describe('EnableKeyRotation / DisableKeyRotation', () => {
  it('changes the live state with the base credentials, validating the period', async () => {
    const c = client();
    expect((await failure(c.send(new EnableKeyRotationCommand({ KeyId: 'rot-off', RotationPeriodInDays: 89 })))).name).toBe('ValidationException');
    expect((await failure(c.send(new EnableKeyRotationCommand({ KeyId: 'rot-off', RotationPeriodInDays: 2561 })))).name).toBe('ValidationException');
    await c.send(new EnableKeyRotationCommand({ KeyId: 'rot-off', RotationPeriodInDays: 90 }));
    expect(await c.send(new GetKeyRotationStatusCommand({ KeyId: 'rot-off' }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90, NextRotationDate: new Date(Date.parse('2026-11-28T00:00:00Z') + 90 * 86_400_000) });
    const live = sim.scenario.accounts[0]!.keys.find((k) => k.keyId === 'rot-off')!;
    expect(live.rotation).toMatchObject({ enabled: true, periodDays: 90 });
    await c.send(new DisableKeyRotationCommand({ KeyId: 'rot-off' }));
    expect((await c.send(new GetKeyRotationStatusCommand({ KeyId: 'rot-off' }))).KeyRotationEnabled).toBe(false);
  });

  it('refuses replicas, unsupported keys, AWS managed keys and disabled keys', async () => {
    const replica = await failure(kmsClient(sim, { region: 'us-east-1' }).send(new EnableKeyRotationCommand({ KeyId: 'mrk-primary' })));
    expect(replica).toBeInstanceOf(UnsupportedOperationException);
    expect(await failure(client().send(new EnableKeyRotationCommand({ KeyId: 'hmac' })))).toBeInstanceOf(UnsupportedOperationException);
    expect(await failure(client().send(new EnableKeyRotationCommand({ KeyId: 'aws-s3' })))).toBeInstanceOf(UnsupportedOperationException);
    // DisabledException is what both operations declare for a disabled key (model kms-2014-11-01).
    expect(await failure(client().send(new EnableKeyRotationCommand({ KeyId: 'disabled' })))).toBeInstanceOf(DisabledException);
    expect(await failure(client().send(new DisableKeyRotationCommand({ KeyId: 'disabled' })))).toBeInstanceOf(DisabledException);
  });

  it('answers constraint violations with ValidationException, as the model constrains them (KeyIdType, MarkerType)', async () => {
    const long = await failure(client().send(new DescribeKeyCommand({ KeyId: 'k'.repeat(2049) })));
    expect(long.name).toBe('ValidationException');
    const tooLongMarker = await failure(client().send(new ListKeysCommand({ Marker: 'm'.repeat(1025) })));
    expect(tooLongMarker.name).toBe('ValidationException');
    const outOfPattern = await failure(client().send(new ListAliasesCommand({ Marker: 'bad\u0100marker' })));
    expect(outOfPattern.name).toBe('ValidationException');
  });
});
