import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, KMSInternalException, ListKeysCommand, NotFoundException } from '@aws-sdk/client-kms';
import { ListAccountsCommand, ServiceException, TooManyRequestsException } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
// @smithy/core ships with every @aws-sdk client (it is their runtime).
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type SimOptions, type Simulator } from '../../src/sim/index.js';
import { ec2Client, failure, kmsClient, orgClient, stsClient } from './helpers.js';

const A = '111111111111';
const B = '222222222222';
const scenario = () =>
  simScenario({
    accounts: [
      { id: A, keys: [{ region: 'us-east-1', keyId: 'k1' }, { region: 'us-east-1', keyId: 'k2' }, { region: 'us-east-1', keyId: 'k3' }, { region: 'eu-west-1', keyId: 'k9' }] },
      { id: B, keys: [{ region: 'us-east-1', keyId: 'b1' }] },
    ],
  });

const started: Simulator[] = [];
async function start(options: Partial<SimOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ scenario: scenario(), ...options });
  started.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

describe('quotas', () => {
  it('throttles KMS per account, region and operation with ThrottlingException (HTTP 400)', async () => {
    const sim = await start({ quotas: { overrides: { 'kms:ListKeys': 3 } }, now: () => 0 });
    const c = kmsClient(sim);
    for (let i = 0; i < 3; i++) await c.send(new ListKeysCommand({}));
    const err = await failure(c.send(new ListKeysCommand({})));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    // Other operations, regions and accounts have buckets of their own.
    await c.send(new DescribeKeyCommand({ KeyId: 'k1' }));
    await kmsClient(sim, { region: 'eu-west-1' }).send(new ListKeysCommand({}));
    await kmsClient(sim, { credentials: sim.credentialsFor(B) }).send(new ListKeysCommand({}));
    expect(sim.stats().throttled).toBe(1);
  });

  it('refills the bucket as the injected clock moves', async () => {
    let now = 0;
    const sim = await start({ quotas: { overrides: { 'kms:ListKeys': 2 } }, now: () => now });
    const c = kmsClient(sim);
    await c.send(new ListKeysCommand({}));
    await c.send(new ListKeysCommand({}));
    expect((await failure(c.send(new ListKeysCommand({})))).name).toBe('ThrottlingException');
    now += 500;
    await c.send(new ListKeysCommand({}));
    expect((await failure(c.send(new ListKeysCommand({})))).name).toBe('ThrottlingException');
  });

  it('answers each service in its own words: TooManyRequestsException, Throttling, RequestLimitExceeded', async () => {
    const sim = await start({ quotas: { scale: 0.01 }, now: () => 0 });
    const org = orgClient(sim);
    await expect(async () => {
      for (;;) await org.send(new ListAccountsCommand({}));
    }).rejects.toBeInstanceOf(TooManyRequestsException);
    const sts = stsClient(sim);
    const stsErr = await (async () => {
      for (;;) await sts.send(new GetCallerIdentityCommand({}));
    })().catch((e: Error & { $metadata: { httpStatusCode: number } }) => e);
    expect(stsErr).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    const ec2 = ec2Client(sim);
    const ec2Err = await (async () => {
      for (;;) await ec2.send(new DescribeRegionsCommand({}));
    })().catch((e: Error & { $metadata: { httpStatusCode: number } }) => e);
    expect(ec2Err).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
  });

  it('lets the SDK retry a throttled call with its standard retry strategy', async () => {
    let now = 0;
    const sim = await start({ quotas: { overrides: { 'kms:ListKeys': 1 } }, now: () => (now += 400) });
    // The SDK's own standard strategy (classification and retry quota), with no back-off wait.
    const c = new KMSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: sim.baseCredentials, retryStrategy: new ConfiguredRetryStrategy(3, () => 0) });
    await c.send(new ListKeysCommand({}));
    const out = await c.send(new ListKeysCommand({}));
    expect(out.Keys).toHaveLength(3);
    expect(sim.stats().throttled).toBe(2);
    expect(sim.stats().calls['kms:ListKeys']).toBe(4);
  });
});

describe('latency', () => {
  it('delays answers per region by the profile, plus latency faults', async () => {
    const sim = await start({ latency: { default: 0, byRegion: { 'eu-west-1': 60 } }, faults: [{ kind: 'latency', operations: ['kms:DescribeKey'], latencyMs: 80 }] });
    const time = async (p: () => Promise<unknown>) => {
      const t0 = performance.now();
      await p();
      return performance.now() - t0;
    };
    expect(await time(() => kmsClient(sim, { region: 'eu-west-1' }).send(new ListKeysCommand({})))).toBeGreaterThanOrEqual(58);
    expect(await time(() => kmsClient(sim).send(new ListKeysCommand({})))).toBeLessThan(50);
    expect(await time(() => kmsClient(sim).send(new DescribeKeyCommand({ KeyId: 'k1' })))).toBeGreaterThanOrEqual(78);
  });
});

describe('faults', () => {
  it('answers HTTP 500 and 503 in the service protocol', async () => {
    const sim = await start({ faults: [{ kind: 'http-500', operations: ['kms:DescribeKey'] }, { kind: 'http-503', operations: ['organizations:*'] }] });
    const kms = await failure(kmsClient(sim).send(new DescribeKeyCommand({ KeyId: 'k1' })));
    expect(kms).toBeInstanceOf(KMSInternalException);
    expect(kms.$metadata?.httpStatusCode).toBe(500);
    expect(kms.$fault).toBe('server');
    const org = await failure(orgClient(sim).send(new ListAccountsCommand({})));
    expect(org.$metadata?.httpStatusCode).toBe(503);
    await kmsClient(sim).send(new ListKeysCommand({}));
    const sim500 = await start({ faults: [{ kind: 'http-500', operations: ['organizations:ListAccounts'] }] });
    expect(await failure(orgClient(sim500).send(new ListAccountsCommand({})))).toBeInstanceOf(ServiceException);
  });

  it('drops the connection without an answer', async () => {
    const sim = await start({ faults: [{ kind: 'drop-connection', operations: ['kms:ListKeys'], times: 1 }] });
    const err = await failure(kmsClient(sim).send(new ListKeysCommand({})));
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect((await kmsClient(sim).send(new ListKeysCommand({}))).Keys).toHaveLength(3);
  });

  it('denies AssumeRole into one target account, as an SCP would', async () => {
    const sim = await start({ faults: [{ kind: 'access-denied', operations: ['sts:AssumeRole'], targetAccounts: [B] }] });
    const sts = stsClient(sim);
    const err = await failure(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${B}:role/KmsRotationAuditReader`, RoleSessionName: 'audit' })));
    expect(err).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/KmsRotationAuditReader`, RoleSessionName: 'audit' }));
  });

  it('denies one KMS operation in one account and for one key', async () => {
    const sim = await start({ faults: [{ kind: 'access-denied', operations: ['kms:GetKeyRotationStatus'], accounts: [A], keyIds: ['k2'] }] });
    const c = kmsClient(sim);
    await c.send(new GetKeyRotationStatusCommand({ KeyId: 'k1' }));
    const err = await failure(c.send(new GetKeyRotationStatusCommand({ KeyId: `arn:aws:kms:us-east-1:${A}:key/k2` })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('kms:GetKeyRotationStatus');
    await c.send(new DescribeKeyCommand({ KeyId: 'k2' }));
  });

  it('answers an expired token on demand', async () => {
    const sim = await start({ faults: [{ kind: 'expired-token', operations: ['kms:ListKeys'], times: 1 }] });
    expect((await failure(kmsClient(sim).send(new ListKeysCommand({})))).name).toBe('ExpiredTokenException');
    await kmsClient(sim).send(new ListKeysCommand({}));
  });

  it('deletes a key between ListKeys and DescribeKey', async () => {
    const sim = await start({ faults: [{ kind: 'delete-key', keyIds: ['k2'] }] });
    const c = kmsClient(sim);
    const listed = (await c.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
    expect(listed).toEqual(['k1', 'k2', 'k3']);
    expect(await failure(c.send(new DescribeKeyCommand({ KeyId: 'k2' })))).toBeInstanceOf(NotFoundException);
    expect((await c.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toEqual(['k1', 'k3']);
    expect(sim.scenario.accounts[0]!.keys.map((k) => k.keyId)).not.toContain('k2');
  });

  it('applies rates from the seeded RNG reproducibly, and setFaults replaces the rules', async () => {
    const outcomes = async () => {
      const sim = await start({ seed: 42, faults: [{ kind: 'http-500', operations: ['kms:ListKeys'], rate: 0.5 }] });
      const out: boolean[] = [];
      for (let i = 0; i < 20; i++) out.push(await kmsClient(sim).send(new ListKeysCommand({})).then(() => true, () => false));
      sim.setFaults([]);
      await kmsClient(sim).send(new ListKeysCommand({}));
      return out;
    };
    const first = await outcomes();
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await outcomes()).toEqual(first);
  });
});

describe('stats', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: scenario(), latency: { default: 30 } });
  });
  afterAll(() => sim.stop());

  it('counts calls per operation and per scope, and the highest concurrency', async () => {
    const c = kmsClient(sim);
    await Promise.all([1, 2, 3, 4, 5].map(() => c.send(new ListKeysCommand({}))));
    await kmsClient(sim, { credentials: sim.credentialsFor(B) }).send(new DescribeKeyCommand({ KeyId: 'b1' }));
    const s = sim.stats();
    expect(s.calls).toEqual({ 'kms:ListKeys': 5, 'kms:DescribeKey': 1 });
    expect(s.callsByScope).toEqual({ [`${A}|us-east-1|kms:ListKeys`]: 5, [`${B}|us-east-1|kms:DescribeKey`]: 1 });
    expect(s.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(s.inFlight).toBe(0);
    sim.resetStats();
    expect(sim.stats().calls).toEqual({});
  });
});
