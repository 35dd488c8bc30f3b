/**
 * The simulator held to AWS's published models (issue 10): a sweep over every operation the
 * simulator serves (a full scan, then each operation directly with the shapes of input it accepts
 * and the errors it answers) and every fault kind and fault profile, each answer checked against
 * the model (test/sim/conformance/model.ts). The "rewrite" faults that deliberately leave the model
 * (a member set null, an enum value the model does not list, an unknown member) are checked to
 * leave it exactly there and nowhere else.
 */
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  GetPublicKeyCommand,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-organizations';
import { BatchImportFindingsCommand, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC2_OPERATIONS } from '../../src/sim/services/ec2.js';
import { KMS_OPERATIONS } from '../../src/sim/services/kms.js';
import { ORGANIZATIONS_OPERATIONS } from '../../src/sim/services/organizations.js';
import { STS_OPERATIONS } from '../../src/sim/services/sts.js';
import {
  generateScenario,
  independentEmulatorFaults,
  midUpdatePrimaryRegionFaults,
  simKey,
  startSimulator,
  transitionalKeyFaults,
  type SimFault,
  type SimReply,
  type SimScenario,
  type Simulator,
} from '../../src/sim/index.js';
import { scan } from '../engine/helpers.js';
import { checkReply, MODELS, outputMemberPaths, presentMemberPaths, type ServiceName, type Violation } from './conformance/model.js';
import { ec2Client, kmsClient, orgClient, securityHubClient, stsClient } from './helpers.js';

let sim: Simulator;
let scenario: SimScenario;
/** Every answer, tagged with the fault rules in force when it was sent. */
const replies: (SimReply & { faults: string })[] = [];
let faultLabel = 'none';
const settle = async (p: Promise<unknown>): Promise<void> => void (await p.catch(() => undefined));

async function withFaults(label: string, faults: SimFault[], body: () => Promise<void>): Promise<void> {
  faultLabel = label;
  sim.setFaults(faults);
  try {
    await body();
  } finally {
    sim.setFaults([]);
    faultLabel = 'none';
  }
}

/** One call of every operation of every service, each answered (success or error). */
async function oneOfEach(): Promise<void> {
  const kms = kmsClient(sim);
  const account = scenario.accounts.find((a) => a.id === scenario.managementAccountId)!;
  const key = account.keys.find((k) => k.region === 'us-east-1') ?? account.keys[0]!;
  const k = kmsClient(sim, { region: key.region });
  await Promise.all([
    settle(kms.send(new ListKeysCommand({}))),
    settle(k.send(new ListAliasesCommand({}))),
    settle(k.send(new DescribeKeyCommand({ KeyId: key.keyId }))),
    settle(k.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))),
    settle(k.send(new ListKeyRotationsCommand({ KeyId: key.keyId }))),
    settle(k.send(new ListResourceTagsCommand({ KeyId: key.keyId }))),
    settle(orgClient(sim).send(new ListAccountsCommand({}))),
    settle(orgClient(sim).send(new ListRootsCommand({}))),
    settle(stsClient(sim).send(new GetCallerIdentityCommand({}))),
    settle(ec2Client(sim).send(new DescribeRegionsCommand({ AllRegions: true }))),
  ]);
}

beforeAll(async () => {
  scenario = generateScenario({ seed: 17, accounts: 7, regions: 4, keysPerRegion: 7 });
  // Every KeySpec the model lists, with each usage AWS allows it (KMS developer guide, "Key spec reference"),
  // in the management account: the generator's mix does not hold every spec.
  const usages = (spec: string): string[] =>
    spec === 'SYMMETRIC_DEFAULT' ? ['ENCRYPT_DECRYPT']
      : spec.startsWith('RSA_') ? ['ENCRYPT_DECRYPT', 'SIGN_VERIFY']
        : spec.startsWith('HMAC_') ? ['GENERATE_VERIFY_MAC']
          : spec.startsWith('ECC_NIST_P') ? ['SIGN_VERIFY', 'KEY_AGREEMENT']
            : spec === 'SM2' ? ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT']
              : ['SIGN_VERIFY'];
  const specs = MODELS.kms.model.shapes.KeySpec!.enum!;
  const managementAccount = scenario.accounts.find((a) => a.id === scenario.managementAccountId)!;
  for (const spec of specs) for (const usage of usages(spec)) managementAccount.keys.push(simKey({ region: 'us-east-1', keySpec: spec, keyUsage: usage, description: `every spec: ${spec} ${usage}` }));
  sim = await startSimulator({ scenario, onReply: (reply) => void replies.push({ ...reply, faults: faultLabel }) });

  // 1. A full scan of the organization: the answers the scanner itself gets.
  await scan(sim, { collectTags: 'all', regions: 'all' });

  // 2. Every KMS operation directly, on every key of the management account (id, ARN, alias),
  //    paged one item at a time, and the errors the operations answer.
  const management = scenario.accounts.find((a) => a.id === scenario.managementAccountId)!;
  for (const key of management.keys) {
    const c = kmsClient(sim, { region: key.region });
    const arn = `arn:aws:kms:${key.region}:${management.id}:key/${key.keyId}`;
    await settle(c.send(new DescribeKeyCommand({ KeyId: key.keyId })));
    await settle(c.send(new DescribeKeyCommand({ KeyId: arn })));
    if (key.aliases[0]) await settle(c.send(new DescribeKeyCommand({ KeyId: key.aliases[0] })));
    await settle(c.send(new GetKeyRotationStatusCommand({ KeyId: arn })));
    let marker: string | undefined;
    do {
      const out = await c.send(new ListKeyRotationsCommand({ KeyId: key.keyId, Limit: 1, Marker: marker })).catch(() => undefined);
      marker = out?.Truncated ? out.NextMarker : undefined;
    } while (marker);
    do {
      const out = await c.send(new ListResourceTagsCommand({ KeyId: key.keyId, Limit: 1, Marker: marker })).catch(() => undefined);
      marker = out?.Truncated ? out.NextMarker : undefined;
    } while (marker);
    await settle(c.send(new ListAliasesCommand({ KeyId: key.keyId })));
    // Writes with the account's own long-term credentials: every key kind, every state.
    await settle(c.send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: 180 })));
    await settle(c.send(new DisableKeyRotationCommand({ KeyId: key.keyId })));
    await settle(c.send(new EnableKeyRotationCommand({ KeyId: key.keyId })));
  }
  for (const region of scenario.regions.map((r) => r.name)) {
    const c = kmsClient(sim, { region });
    let marker: string | undefined;
    do {
      const out = await c.send(new ListKeysCommand({ Limit: 2, Marker: marker })).catch(() => undefined);
      marker = out?.Truncated ? out.NextMarker : undefined;
    } while (marker);
    do {
      const out = await c.send(new ListAliasesCommand({ Limit: 3, Marker: marker })).catch(() => undefined);
      marker = out?.Truncated ? out.NextMarker : undefined;
    } while (marker);
  }
  const c = kmsClient(sim);
  const someKey = management.keys.find((k) => k.region === 'us-east-1')?.keyId ?? 'none';
  await Promise.all([
    settle(c.send(new DescribeKeyCommand({ KeyId: 'no-such-key' }))),
    settle(c.send(new DescribeKeyCommand({ KeyId: 'alias/no-such-alias' }))),
    settle(c.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:not-an-arn' }))),
    settle(c.send(new DescribeKeyCommand({ KeyId: 'k'.repeat(2049) }))),
    settle(c.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:999999999999:key/${someKey}` }))),
    settle(c.send(new GetKeyRotationStatusCommand({ KeyId: 'alias/aws/s3' }))),
    settle(c.send(new ListKeysCommand({ Marker: 'forged-marker' }))),
    settle(c.send(new ListKeysCommand({ Marker: 'm'.repeat(1025) }))),
    settle(c.send(new ListKeysCommand({ Limit: 0 }))),
    settle(c.send(new ListAliasesCommand({ Limit: 101 }))),
    settle(c.send(new ListKeyRotationsCommand({ KeyId: someKey, Marker: 'bad\u0100' }))),
    settle(c.send(new ListResourceTagsCommand({ KeyId: someKey, Limit: 51 }))),
    settle(c.send(new EnableKeyRotationCommand({ KeyId: someKey, RotationPeriodInDays: 30 }))),
  ]);

  // The signing operations (src/evidence signs run folders): a key of each signing kind, its
  // public key, a signature over a digest and its verification, and the errors they answer.
  const digest = new Uint8Array(32).fill(7);
  for (const [KeySpec, SigningAlgorithm] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_256']] as const) {
    const created = await c.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'SIGN_VERIFY', Description: `signer ${KeySpec}` })).catch(() => undefined);
    const KeyId = created?.KeyMetadata?.Arn ?? 'none';
    await settle(c.send(new GetPublicKeyCommand({ KeyId })));
    const signed = await c.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm })).catch(() => undefined);
    const Signature = signed?.Signature ?? new Uint8Array(8);
    await settle(c.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature, SigningAlgorithm })));
    await settle(c.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: Signature.map((b) => b ^ 1), SigningAlgorithm })));
  }
  await Promise.all([
    settle(c.send(new CreateKeyCommand({}))),
    settle(c.send(new GetPublicKeyCommand({ KeyId: someKey }))),
    settle(c.send(new SignCommand({ KeyId: someKey, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }))),
    settle(c.send(new GetPublicKeyCommand({ KeyId: 'no-such-key' }))),
  ]);

  // 3. Organizations: every operation, from the management account and from a member.
  const org = orgClient(sim);
  await settle(org.send(new DescribeOrganizationCommand({})));
  await settle(org.send(new ListRootsCommand({})));
  for (const parent of [scenario.rootId, ...scenario.ous.map((o) => o.id)]) {
    await settle(org.send(new ListAccountsForParentCommand({ ParentId: parent })));
    await settle(org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent })));
    await settle(org.send(new ListChildrenCommand({ ParentId: parent, ChildType: 'ACCOUNT' })));
    await settle(org.send(new ListChildrenCommand({ ParentId: parent, ChildType: 'ORGANIZATIONAL_UNIT' })));
    await settle(org.send(new ListTagsForResourceCommand({ ResourceId: parent })));
  }
  for (const account of scenario.accounts.slice(0, 3)) {
    await settle(org.send(new ListParentsCommand({ ChildId: account.id })));
    await settle(org.send(new ListTagsForResourceCommand({ ResourceId: account.id })));
  }
  await settle(org.send(new ListParentsCommand({ ChildId: '000000000000' })));
  await settle(org.send(new ListParentsCommand({ ChildId: 'not-an-id' })));
  await settle(org.send(new ListAccountsForParentCommand({ ParentId: 'ou-zz00-00000000' })));
  await settle(org.send(new ListAccountsCommand({ NextToken: 'forged' })));
  await settle(org.send(new ListAccountsCommand({ MaxResults: 50 })));
  // Every list operation paged one item at a time, to its end (NextToken on every page but the last).
  const pageAll = async (send: (token: string | undefined) => Promise<{ NextToken?: string } | undefined>): Promise<void> => {
    let token: string | undefined;
    do token = (await send(token).catch(() => undefined))?.NextToken;
    while (token);
  };
  await pageAll((NextToken) => org.send(new ListAccountsCommand({ MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListRootsCommand({ MaxResults: 1, NextToken })));
  const byParent = new Map<string, number>();
  for (const a of scenario.accounts) byParent.set(a.parentId, (byParent.get(a.parentId) ?? 0) + 1);
  const busiest = [...byParent].sort((x, y) => y[1] - x[1])[0]![0];
  await pageAll((NextToken) => org.send(new ListAccountsForParentCommand({ ParentId: busiest, MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListChildrenCommand({ ParentId: busiest, ChildType: 'ACCOUNT', MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: scenario.rootId, MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListChildrenCommand({ ParentId: scenario.rootId, ChildType: 'ACCOUNT', MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListParentsCommand({ ChildId: scenario.accounts[0]!.id, MaxResults: 1, NextToken })));
  await pageAll((NextToken) => org.send(new ListTagsForResourceCommand({ ResourceId: scenario.accounts[0]!.id, NextToken })));
  const member = scenario.accounts.find((a) => a.id !== scenario.managementAccountId && !a.delegatedAdministrator)!;
  await settle(orgClient(sim, { credentials: sim.credentialsFor(member.id) }).send(new ListAccountsCommand({})));
  await settle(orgClient(sim, { credentials: sim.credentialsFor(member.id) }).send(new DescribeOrganizationCommand({})));

  // 4. STS and EC2: success and the errors they answer.
  const sts = stsClient(sim);
  await settle(sts.send(new GetCallerIdentityCommand({})));
  const withRole = scenario.accounts.find((a) => a.id !== scenario.managementAccountId && a.roles.length > 0)!;
  await settle(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${withRole.id}:role/${withRole.roles[0]!.name}`, RoleSessionName: 'conformance' })));
  await settle(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${withRole.id}:role/NoSuchRole`, RoleSessionName: 'conformance' })));
  await settle(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${withRole.id}:role/${withRole.roles[0]!.name}`, RoleSessionName: 'c', DurationSeconds: 100 })));
  const ec2 = ec2Client(sim);
  await settle(ec2.send(new DescribeRegionsCommand({})));
  await settle(ec2.send(new DescribeRegionsCommand({ AllRegions: true })));
  await settle(ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] })));
  await settle(ec2.send(new DescribeRegionsCommand({ AllRegions: true, Filters: [{ Name: 'opt-in-status', Values: ['not-opted-in'] }] })));
  await settle(kmsClient(sim, { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }).send(new ListKeysCommand({})));
  await settle(stsClient(sim, { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }).send(new GetCallerIdentityCommand({})));
  await settle(ec2Client(sim, { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }).send(new DescribeRegionsCommand({})));

  // Security Hub BatchImportFindings (restJson1): imports for the caller and, as administrator, for a
  // member; a finding missing required members; a member importing for another account; more than
  // 100 findings; Security Hub not enabled; denied; unknown credentials.
  const finding = (account: string, id: string): AwsSecurityFinding => ({
    SchemaVersion: '2018-10-08', Id: id, ProductArn: `arn:aws:securityhub:us-east-1:${scenario.managementAccountId}:product/${scenario.managementAccountId}/default`,
    GeneratorId: 'conformance', AwsAccountId: account, CreatedAt: '2026-12-01T00:00:00Z', UpdatedAt: '2026-12-01T00:00:00Z',
    Title: 'conformance', Description: 'conformance', Types: ['Software and Configuration Checks'], Resources: [{ Type: 'AwsKmsKey', Id: `key-${id}` }],
  });
  const hub = securityHubClient(sim);
  await settle(hub.send(new BatchImportFindingsCommand({ Findings: [finding(scenario.managementAccountId, 'own'), finding(member.id, 'for-member'), { ...finding(member.id, 'no-title'), Title: ' ' }] })));
  await settle(securityHubClient(sim, { credentials: sim.credentialsFor(member.id) }).send(new BatchImportFindingsCommand({ Findings: [finding(scenario.managementAccountId, 'not-mine')] })));
  await settle(hub.send(new BatchImportFindingsCommand({ Findings: Array.from({ length: 101 }, (_, i) => finding(scenario.managementAccountId, `many-${i}`)) })));
  sim.securityHub.setOptions({ notEnabled: ['*|eu-west-1'], denied: ['*|ap-southeast-2'] });
  await settle(securityHubClient(sim, { region: 'eu-west-1' }).send(new BatchImportFindingsCommand({ Findings: [finding(scenario.managementAccountId, 'x')] })));
  await settle(securityHubClient(sim, { region: 'ap-southeast-2' }).send(new BatchImportFindingsCommand({ Findings: [finding(scenario.managementAccountId, 'x')] })));
  sim.securityHub.setOptions({});
  await settle(securityHubClient(sim, { credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }).send(new BatchImportFindingsCommand({ Findings: [finding(scenario.managementAccountId, 'x')] })));

  // 5. Every terminal fault kind on every service, and the fault profiles.
  for (const kind of ['access-denied', 'http-500', 'http-503', 'throttle', 'expired-token', 'invalid-token'] as const) {
    await withFaults(kind, [{ operations: ['*'], kind }], oneOfEach);
  }
  await withFaults('latency', [{ operations: ['*'], kind: 'latency', latencyMs: 1 }], oneOfEach);
  await withFaults('delete-key', [{ accounts: [management.id], kind: 'delete-key', times: 1 }], async () => {
    const listed = await kmsClient(sim).send(new ListKeysCommand({ Limit: 1 }));
    await settle(kmsClient(sim).send(new DescribeKeyCommand({ KeyId: listed.Keys![0]!.KeyId! })));
  });
  const primary = scenario.accounts.flatMap((a) => a.keys.map((k) => ({ a, k }))).find(({ k }) => k.multiRegion?.type === 'PRIMARY' && (k.multiRegion.replicaRegions?.length ?? 0) > 0)!;
  const profiles: [string, SimFault[]][] = [
    ['independent emulator', independentEmulatorFaults()],
    ['mid-UpdatePrimaryRegion', midUpdatePrimaryRegionFaults(primary.a.id, primary.k, primary.k.multiRegion!.replicaRegions![0]!)],
    ['transitional key', [...transitionalKeyFaults(management.id, management.keys[0]!, 'Creating'), ...transitionalKeyFaults(management.id, management.keys[1]!, 'Updating')]],
    // Dropping members the model does not require keeps an answer within the model.
    ['rewrite drop optional', [{ kind: 'rewrite', operations: ['kms:ListKeys', 'kms:ListAliases'], rewrite: { path: 'Truncated', action: 'drop' } }, { kind: 'rewrite', operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'KeyRotationEnabled', action: 'drop' } }]],
  ];
  for (const [label, faults] of profiles) await withFaults(label, faults, () => scan(sim, { regions: 'all' }).then(() => undefined));

  // 6. Rewrites that leave the model on purpose (checked below to leave it only there).
  await withFaults('rewrite off-model', [
    { kind: 'rewrite', operations: ['kms:GetKeyRotationStatus'], rewrite: { path: 'KeyRotationEnabled', action: 'null' } },
    { kind: 'rewrite', operations: ['kms:DescribeKey'], rewrite: { path: 'KeyMetadata.Origin', action: 'set', value: 'QUANTUM_VAULT' } },
    { kind: 'rewrite', operations: ['kms:ListKeys'], rewrite: { path: 'FutureMember', action: 'set', value: 1 } },
  ], oneOfEach);
}, 240_000);

afterAll(async () => {
  await sim?.stop();
});

const format = (v: Violation[]): string => v.slice(0, 25).map((x) => `${x.service}:${x.operation} ${x.path}: ${x.problem}`).join('\n');

describe('the simulator answers as AWS\'s models say', () => {
  it('every answer of the sweep (scan, every operation, every error, every fault and profile) conforms', () => {
    const inModel = replies.filter((r) => r.faults !== 'rewrite off-model');
    expect(inModel.length).toBeGreaterThan(1500);
    const violations = inModel.flatMap((r) => checkReply(r.service as ServiceName, r.operation, r.reply.status, r.reply.body, r.reply.headers).map((v) => ({ ...v, problem: `${v.problem} [faults: ${r.faults}]` })));
    expect(violations, format(violations)).toEqual([]);
  });

  it('the sweep reached every operation with a success, and every fault kind and profile', () => {
    const ok = new Set(replies.filter((r) => r.reply.status === 200).map((r) => `${r.service}:${r.operation}`));
    const served = [
      ...Object.keys(KMS_OPERATIONS).map((op) => `kms:${op}`),
      ...Object.keys(ORGANIZATIONS_OPERATIONS).map((op) => `organizations:${op}`),
      ...Object.keys(STS_OPERATIONS).map((op) => `sts:${op}`),
      ...Object.keys(EC2_OPERATIONS).map((op) => `ec2:${op}`),
      'securityhub:BatchImportFindings',
    ];
    expect(served.filter((op) => !ok.has(op))).toEqual([]);
    // Every operation the simulator serves is one the model knows.
    for (const op of served) {
      const [service, name] = op.split(':') as [ServiceName, string];
      expect(MODELS[service].model.operations[name], op).toBeDefined();
    }
    const labels = new Set(replies.map((r) => r.faults));
    for (const label of ['access-denied', 'http-500', 'http-503', 'throttle', 'expired-token', 'invalid-token', 'latency', 'delete-key', 'independent emulator', 'mid-UpdatePrimaryRegion', 'transitional key', 'rewrite drop optional', 'rewrite off-model']) {
      expect(labels.has(label), label).toBe(true);
    }
    // Errors of every kind were answered (and checked above).
    const codes = new Set(replies.filter((r) => r.reply.status >= 400).map((r) => r.reply.headers['x-amzn-errortype'] ?? r.reply.body.match(/"__type":"([^"]+)"|<Code>([^<]+)<\/Code>/)?.slice(1).find(Boolean)));
    for (const code of ['NotFoundException', 'InvalidArnException', 'KMSInvalidSignatureException', 'InvalidMarkerException', 'ValidationException', 'UnsupportedOperationException', 'DisabledException', 'KMSInvalidStateException', 'AccessDeniedException', 'UnrecognizedClientException', 'ThrottlingException', 'KMSInternalException', 'ServiceUnavailableException', 'ExpiredTokenException', 'AccessDenied', 'InvalidClientTokenId', 'AuthFailure', 'UnauthorizedOperation', 'RequestLimitExceeded', 'ChildNotFoundException', 'InvalidInputException', 'ParentNotFoundException', 'ValidationError', 'InvalidAccessException']) {
      expect(codes.has(code), code).toBe(true);
    }
  });

  it('the off-model rewrites leave the model exactly where they say, and nowhere else', () => {
    const off = replies.filter((r) => r.faults === 'rewrite off-model');
    const problems = off.flatMap((r) => checkReply(r.service as ServiceName, r.operation, r.reply.status, r.reply.body, r.reply.headers)).map((v) => `${v.operation} ${v.path}: ${v.problem}`);
    expect([...new Set(problems)].sort()).toEqual([
      'DescribeKey DescribeKeyResponse.KeyMetadata.Origin: "QUANTUM_VAULT" is not in the enum',
      'GetKeyRotationStatus GetKeyRotationStatusResponse.KeyRotationEnabled: null',
      'ListKeys ListKeysResponse.FutureMember: unknown member',
    ]);
  });

  it('what the models allow that the simulator never sends is exactly the list in src/sim/README.md', () => {
    const sent = new Map<string, Set<string>>();
    for (const r of replies) {
      if (r.reply.status !== 200 || r.faults.startsWith('rewrite') || (r.service !== 'kms' && r.service !== 'organizations')) continue;
      const op = `${r.service}:${r.operation}`;
      presentMemberPaths(r.reply.body ? JSON.parse(r.reply.body) : {}, '', sent.get(op) ?? sent.set(op, new Set()).get(op));
    }
    const unsent: string[] = [];
    for (const [op, present] of [...sent].sort(([a], [b]) => a.localeCompare(b))) {
      const [service, name] = op.split(':') as [ServiceName, string];
      const missing = outputMemberPaths(MODELS[service].model, name).filter((path) => !present.has(path));
      if (missing.length) unsent.push(`${op}: ${missing.join(', ')}`);
    }
    const readme = readFileSync(join(import.meta.dirname, '../../src/sim/README.md'), 'utf8');
    const section = readme.split('## What the models allow that the simulator does not send')[1]?.split('\n## ')[0] ?? '';
    const documented = [...section.matchAll(/^- `([a-z]+:\w+)`: (.+)$/gm)].map((m) => `${m[1]}: ${[...m[2]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]).join(', ')}`);
    expect(documented).toEqual(unsent);
  });
});
