import { DescribeRegionsCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { KMSServiceException, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type SimCredentials, type Simulator } from '../../src/sim/index.js';
import { ec2Client, failure, kmsClient, orgClient, stsClient } from './helpers.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
let clock = Date.parse('2026-11-28T12:00:00Z');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    now: () => clock,
    scenario: simScenario({
      regions: ['us-east-1', 'eu-west-1', 'af-south-1', 'ap-east-1'],
      accounts: [
        { id: A, optedInRegions: ['af-south-1', 'ap-east-1'], keys: [{ region: 'us-east-1', keyId: 'key-of-a' }], roles: [{ name: 'KmsRotationAuditReader' }, { name: 'Chain', maxSessionSeconds: 43200 }] },
        {
          id: B,
          optedInRegions: ['af-south-1'],
          keys: [{ region: 'us-east-1', keyId: 'key-of-b' }, { region: 'af-south-1', keyId: 'key-of-b-in-af' }],
          roles: [
            { name: 'KmsRotationAuditReader', maxSessionSeconds: 7200 },
            { name: 'WithExternalId', externalId: 'ext-123' },
            { name: 'Pathed', path: '/security/' },
            { name: 'OnlyFromC', trustedAccounts: [C] },
          ],
        },
        { id: C, roles: [] },
      ],
    }),
  });
});
afterAll(() => sim.stop());

async function assume(roleArn: string, extra: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}, credentials?: SimCredentials) {
  const out = await stsClient(sim, credentials ? { credentials } : {}).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'audit', ...extra }));
  const c = out.Credentials!;
  return { out, creds: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } };
}

const keyIds = async (creds: SimCredentials, region = 'us-east-1') => ((await kmsClient(sim, { credentials: creds, region }).send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId);

describe('credential binding', () => {
  it('answers with the data of the account the access key belongs to', async () => {
    expect(await keyIds(sim.baseCredentials)).toEqual(['key-of-a']);
    expect(await keyIds(sim.credentialsFor(B))).toEqual(['key-of-b']);
  });

  it('AssumeRole issues ASIA session credentials bound to the target account', async () => {
    const { out, creds } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`);
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(creds.sessionToken.length).toBeGreaterThan(20);
    expect(out.AssumedRoleUser).toEqual({ Arn: `arn:aws:sts::${B}:assumed-role/KmsRotationAuditReader/audit`, AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{16}:audit$/) });
    expect(out.Credentials!.Expiration).toEqual(new Date(clock + 3600_000));
    expect(await keyIds(creds)).toEqual(['key-of-b']);
    const who = await stsClient(sim, { credentials: creds }).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: B, Arn: `arn:aws:sts::${B}:assumed-role/KmsRotationAuditReader/audit` });
  });

  it('GetCallerIdentity names the management account for the base credentials', async () => {
    const who = await stsClient(sim).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: A, Arn: `arn:aws:iam::${A}:user/kms-rotation-audit-sim` });
  });

  it('lets only the management account list the organization, also through an assumed role', async () => {
    const { creds } = await assume(`arn:aws:iam::${A}:role/KmsRotationAuditReader`);
    expect((await orgClient(sim, { credentials: creds }).send(new ListAccountsCommand({}))).Accounts).toHaveLength(3);
    const { creds: inB } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`);
    expect((await failure(orgClient(sim, { credentials: inB }).send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
  });

  it('forbids KMS writes to a read role', async () => {
    const { creds } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`);
    const { EnableKeyRotationCommand } = await import('@aws-sdk/client-kms');
    const err = await failure(kmsClient(sim, { credentials: creds }).send(new EnableKeyRotationCommand({ KeyId: 'key-of-b' })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('kms:EnableKeyRotation');
  });
});

describe('SDK credential providers', () => {
  it('fromTemporaryCredentials assumes a role through the simulator and signs with the session', async () => {
    const { fromTemporaryCredentials } = await import('@aws-sdk/credential-providers');
    const provider = fromTemporaryCredentials({
      params: { RoleArn: `arn:aws:iam::${B}:role/KmsRotationAuditReader`, RoleSessionName: 'provider' },
      masterCredentials: sim.baseCredentials,
      clientConfig: { endpoint: sim.endpoint, region: 'us-east-1' },
    });
    const creds = await provider();
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.expiration).toEqual(new Date(clock + 3600_000));
    const c = new (await import('@aws-sdk/client-kms')).KMSClient({ endpoint: sim.endpoint, region: 'af-south-1', credentials: provider, maxAttempts: 1 });
    expect(((await c.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId)).toEqual(['key-of-b-in-af']);
  });
});

describe('AssumeRole checks', () => {
  const denied = async (p: Promise<unknown>) => {
    const err = await failure(p);
    expect(err).toBeInstanceOf(STSServiceException);
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    return err;
  };
  const invalid = async (p: Promise<unknown>) => {
    const err = await failure(p);
    expect(err.name).toBe('ValidationError');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    return err;
  };

  it('denies a missing role, an unknown account, a wrong path and an untrusted caller', async () => {
    const e = await denied(assume(`arn:aws:iam::${C}:role/KmsRotationAuditReader`));
    expect(e.message).toBe(`User: arn:aws:iam::${A}:user/kms-rotation-audit-sim is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${C}:role/KmsRotationAuditReader`);
    await denied(assume('arn:aws:iam::999999999999:role/KmsRotationAuditReader'));
    await denied(assume(`arn:aws:iam::${B}:role/Pathed`));
    await assume(`arn:aws:iam::${B}:role/security/Pathed`);
    await denied(assume(`arn:aws:iam::${B}:role/OnlyFromC`));
  });

  it('checks the ExternalId', async () => {
    await denied(assume(`arn:aws:iam::${B}:role/WithExternalId`));
    await denied(assume(`arn:aws:iam::${B}:role/WithExternalId`, { ExternalId: 'ext-999' }));
    await assume(`arn:aws:iam::${B}:role/WithExternalId`, { ExternalId: 'ext-123' });
  });

  it('validates DurationSeconds against 900..43200, the role maximum and role chaining', async () => {
    await invalid(assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { DurationSeconds: 899 }));
    await invalid(assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { DurationSeconds: 43201 }));
    const tooLong = await invalid(assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { DurationSeconds: 7201 }));
    expect(tooLong.message).toContain('MaxSessionDuration');
    const { out } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { DurationSeconds: 7200 });
    expect(out.Credentials!.Expiration).toEqual(new Date(clock + 7200_000));
    const { creds: chained } = await assume(`arn:aws:iam::${A}:role/Chain`);
    const chain = await invalid(assume(`arn:aws:iam::${A}:role/Chain`, { DurationSeconds: 7200 }, chained));
    expect(chain.message).toContain('role chaining');
  });

  it('validates RoleSessionName (2..64) and the RoleArn', async () => {
    await invalid(assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { RoleSessionName: 'x' }));
    await invalid(assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { RoleSessionName: 'x'.repeat(65) }));
    await invalid(assume('arn:aws:iam::12:role/R'));
  });
});

describe('signature and key checks', () => {
  it('rejects a wrong secret: InvalidSignatureException (KMS), SignatureDoesNotMatch (STS, EC2)', async () => {
    const bad = { ...sim.baseCredentials, secretAccessKey: 'wrong-secret' };
    const kms = await failure(kmsClient(sim, { credentials: bad }).send(new ListKeysCommand({})));
    expect(kms).toBeInstanceOf(KMSServiceException);
    expect(kms.name).toBe('InvalidSignatureException');
    const sts = await failure(stsClient(sim, { credentials: bad }).send(new GetCallerIdentityCommand({})));
    expect(sts.name).toBe('SignatureDoesNotMatch');
    expect(sts.$metadata?.httpStatusCode).toBe(403);
    const ec2 = await failure(ec2Client(sim, { credentials: bad }).send(new DescribeRegionsCommand({})));
    expect(ec2).toBeInstanceOf(EC2ServiceException);
    expect(ec2.name).toBe('SignatureDoesNotMatch');
    expect(sim.stats().authFailures).toBeGreaterThanOrEqual(3);
  });

  it('rejects unknown access keys: UnrecognizedClientException, InvalidClientTokenId, AuthFailure', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' };
    expect((await failure(kmsClient(sim, { credentials: unknown }).send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
    expect((await failure(orgClient(sim, { credentials: unknown }).send(new ListAccountsCommand({})))).name).toBe('UnrecognizedClientException');
    expect((await failure(stsClient(sim, { credentials: unknown }).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await failure(ec2Client(sim, { credentials: unknown }).send(new DescribeRegionsCommand({})))).name).toBe('AuthFailure');
  });

  it('rejects session credentials without their token', async () => {
    const { creds } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`);
    const noToken = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey };
    expect((await failure(kmsClient(sim, { credentials: noToken }).send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
  });
});

describe('expiry of temporary credentials', () => {
  it('answers ExpiredTokenException once the simulator clock passes Expiration', async () => {
    const { creds } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`, { DurationSeconds: 900 });
    expect(await keyIds(creds)).toEqual(['key-of-b']);
    clock += 900_000;
    try {
      const kms = await failure(kmsClient(sim, { credentials: creds }).send(new ListKeysCommand({})));
      expect(kms.name).toBe('ExpiredTokenException');
      expect((await failure(stsClient(sim, { credentials: creds }).send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
      expect((await failure(ec2Client(sim, { credentials: creds }).send(new DescribeRegionsCommand({})))).name).toBe('RequestExpired');
      expect(await keyIds(sim.baseCredentials)).toEqual(['key-of-a']);
    } finally {
      clock -= 900_000;
    }
  });

  it('caps the lifetime with maxCredentialLifetimeSeconds', async () => {
    const short = await startSimulator({ scenario: sim.scenario, now: () => clock, maxCredentialLifetimeSeconds: 1 });
    try {
      const out = await stsClient(short).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${B}:role/KmsRotationAuditReader`, RoleSessionName: 's1' }));
      expect(out.Credentials!.Expiration).toEqual(new Date(clock + 1000));
    } finally {
      await short.stop();
    }
  });
});

describe('regions', () => {
  it('DescribeRegions lists the regions enabled for the calling account with OptInStatus', async () => {
    const { creds } = await assume(`arn:aws:iam::${B}:role/KmsRotationAuditReader`);
    const out = await ec2Client(sim, { credentials: creds }).send(new DescribeRegionsCommand({}));
    expect(out.Regions).toEqual([
      { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      { RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'opted-in' },
    ]);
    const all = await ec2Client(sim, { credentials: creds }).send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.find((r) => r.RegionName === 'ap-east-1')?.OptInStatus).toBe('not-opted-in');
    const filtered = await ec2Client(sim, { credentials: creds }).send(new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'opt-in-status', Values: ['opted-in', 'not-opted-in'] }] }));
    expect(filtered.Regions?.map((r) => r.RegionName)).toEqual(['af-south-1', 'ap-east-1']);
  });

  it('rejects calls into an opt-in region the account has not enabled', async () => {
    const b = sim.credentialsFor(B);
    expect(await keyIds(b, 'af-south-1')).toEqual(['key-of-b-in-af']);
    const kms = await failure(kmsClient(sim, { credentials: b, region: 'ap-east-1' }).send(new ListKeysCommand({})));
    expect(kms.name).toBe('UnrecognizedClientException');
    expect(kms.message).toBe('The security token included in the request is invalid.');
    expect(kms.$metadata?.httpStatusCode).toBe(400);
    expect((await failure(stsClient(sim, { credentials: b, region: 'ap-east-1' }).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await failure(ec2Client(sim, { credentials: b, region: 'ap-east-1' }).send(new DescribeRegionsCommand({})))).name).toBe('AuthFailure');
    expect(await keyIds(sim.baseCredentials, 'ap-east-1')).toEqual([]);
  });
});
