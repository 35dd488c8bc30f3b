/**
 * An organization built through the AWS API of an independent emulator, judged right (issue 10,
 * "Done when"). The emulator is moto (https://github.com/getmoto/moto), run as `moto_server`:
 * written by other people than the scanner and the project's simulator (src/sim), so it does not
 * share their blind spots. The test builds the organization with the real @aws-sdk clients
 * (Organizations CreateOrganization / CreateOrganizationalUnit / CreateAccount / MoveAccount, STS
 * AssumeRole into each member, KMS CreateKey and friends), runs the built CLI against it as a child
 * process, and checks every key it created appears exactly once in results.json and findings.csv
 * with the status its own oracle expects, the coverage it expects, and the exit status.
 *
 * The oracle is written here from README.md ("Statuses") and the KMS-002 rule text (Conformity:
 * customer managed symmetric keys with KMS key material rotate at least yearly), from what the
 * test created, never from the scanner's rule code. Where moto answers differently from AWS, the
 * oracle says so by name (`EmulatorFacts`, read from moto's own answers while building) and
 * expects what the scanner must do with the answer AWS's documentation leaves: never a special
 * case for moto in the scanner.
 *
 * How moto maps accounts (https://docs.getmoto.org/en/latest/docs/multi_account.html): requests
 * signed with any long-term key act in account 123456789012, which CreateOrganization makes the
 * management account; AssumeRole returns credentials that act in the account named in the role
 * ARN (the role need not exist). The scanner therefore assumes its default read role
 * `KmsRotationAuditReader` into each member exactly as it would in AWS.
 *
 * What moto 5.2.1 sends that differs from AWS, for the calls the scanner makes, compared with the
 * KMS API model (test/fixtures/aws-models/kms-2014-11-01.json.gz) and the API reference; the first
 * test ("moto answers as documented here") checks each item against a live moto_server:
 *  1. CreateKey / DescribeKey without KeyUsage in the request: `"KeyUsage": null` on the wire
 *     (the SDK reads it as absent). AWS answers ENCRYPT_DECRYPT, CreateKey's documented default
 *     (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-KeyUsage).
 *     The scanner infers ENCRYPT_DECRYPT for SYMMETRIC_DEFAULT and records it in `inferences`.
 *  2. `"MultiRegion": null` on single-Region keys (model: NullableBooleanType; AWS sends false);
 *     `"EncryptionAlgorithms": null` on signing keys, `"SigningAlgorithms": null` on keys created
 *     with KeyUsage ENCRYPT_DECRYPT and `[]` on those created without it (AWS omits both); HMAC
 *     keys carry RSA EncryptionAlgorithms and no MacAlgorithms. The scanner reads none of these.
 *  3. EnableKeyRotation ignores RotationPeriodInDays, and GetKeyRotationStatus answers only
 *     `KeyRotationEnabled`: no RotationPeriodInDays, NextRotationDate or KeyId
 *     (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html). The
 *     scanner reads the absent period as AWS's documented default of 365 days and says so in the
 *     reason, so a key the test created with a 400-day period, FAIL in AWS, is PASS against moto:
 *     the one verdict that differs from AWS, caused by moto dropping the period (see `periodOf`).
 *  4. GetKeyRotationStatus and EnableKeyRotation on an asymmetric key, and EnableKeyRotation on a
 *     disabled key, succeed (AWS: UnsupportedOperationException, DisabledException). The scanner
 *     asks for rotation status only for keys the rule applies to.
 *  5. Multi-Region keys: ReplicateKey's ReplicaKeyMetadata calls the replica PRIMARY; once the
 *     replica has been described, DescribeKey on the primary says REPLICA naming itself as its
 *     primary (moto's replica shares its MultiRegionConfiguration with the primary). AWS shows a
 *     primary as REPLICA only briefly during UpdatePrimaryRegion
 *     (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-update.html); the scanner
 *     judges a key naming itself as primary as the primary and records the inference. moto's
 *     replica also shares the primary's aliases: ListAliases in the replica's region lists them
 *     (AWS aliases are regional: https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).
 *  6. CreateKey with Origin EXTERNAL answers KeyState Enabled; AWS answers PendingImport until key
 *     material is imported (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html).
 *     Both are NOT_APPLICABLE (imported key material).
 *  7. ListKeys and ListAliases ignore Limit (model: 1..1000, "KMS does not return more than the
 *     specified number of items") and answer every item with Truncated false; ListKeys and
 *     ListResourceTags send `"NextMarker": null`, Organizations ListAccounts and
 *     ListOrganizationalUnitsForParent `"NextToken": null` (the model has strings; AWS omits the
 *     member on the last page). ListAliases lists the AWS managed aliases (alias/aws/*) of every
 *     account and region, pointing at key ids ListKeys does not list (the scanner ignores aliases
 *     of keys it does not list).
 *  8. Signatures are not checked (a request with a made-up signature is answered), and AssumeRole
 *     succeeds for a role that does not exist, in an account outside the organization (AWS:
 *     AccessDenied).
 *  9. EC2 DescribeRegions (AllRegions) lists the GovCloud regions us-gov-east-1 and us-gov-west-1
 *     beside the aws partition's (AWS lists only the caller's partition:
 *     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html), and KMS
 *     holds keys in a region DescribeRegions calls not-opted-in (AWS refuses requests there). With
 *     `--regions all` the scanner reads the GovCloud regions as enabled ones and records the
 *     not-opted-in regions as not enabled, as DescribeRegions says; this test scans named regions.
 * Every answer of the KMS and Organizations calls the scanner makes on this organization is checked
 * against AWS's models (`modelProblems`, `organizationsProblems`): the nulls of items 1, 2 and 7 are
 * the only departures from the output shapes; KMS errors come as `__type` with HTTP 400, as in AWS.
 * GetKeyRotationStatus, ListKeyRotations and ListAliases answers conform (the model marks none of
 * GetKeyRotationStatus's members required, so item 3 is a departure from AWS's behaviour, not from
 * the shape). EC2 DescribeRegions and STS (Query protocol, XML) are not checked member by member;
 * they carry what the scanner reads (OptInStatus; Account, Arn; Credentials).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  CreateAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type CreateKeyCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/paths.js';
import type { KeyResult, ResultsHeader, Status } from '../../src/core/results.js';
import { loadModel, validateShape } from '../helpers/aws-model.js';

const MOTO_SERVER = 'moto_server';
const NOT_INSTALLED =
  'moto_server is not installed (not found on PATH). The system suite runs the scanner against moto, an independent AWS emulator: ' +
  "install it with `pip install 'moto[server]==5.2.1'` (CI: .ci/run stops early when it is missing).";
const cli = join(packageRoot, 'dist/src/cli.js');
const HOME_REGION = 'us-east-1';
/** The regions the scan covers; OUTSIDE holds a multi-Region primary whose replica is in scope. */
const SCANNED = ['us-east-1', 'eu-west-1'] as const;
const OUTSIDE = 'eu-west-2';
/** Management-account regions the scan never reads: the probes of the first test live there. */
const PROBE = ['ca-central-1', 'ap-southeast-2'] as const;
const isScanned = (region: string): boolean => (SCANNED as readonly string[]).includes(region);
const READ_ROLE = 'KmsRotationAuditReader';
const POLICY_DAYS = 365;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface Moto {
  endpoint: string;
  child: ChildProcess;
}

/** One key as the test created it: the oracle's only input besides `EmulatorFacts`. */
interface Made {
  label: string;
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
  /** As created (CreateKey's default when not passed: SYMMETRIC_DEFAULT). */
  keySpec: string;
  /** As passed to CreateKey; null when not passed. */
  keyUsage: string | null;
  origin: 'AWS_KMS' | 'EXTERNAL';
  /** null: rotation off; periodDays null: EnableKeyRotation without RotationPeriodInDays. */
  rotation: { periodDays: number | null } | null;
  onDemandRotation: boolean;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  multiRegion: { type: 'PRIMARY' } | { type: 'REPLICA'; primary: Made } | null;
  /** The key policy denies kms:DescribeKey to every principal. */
  describeDenied: boolean;
  aliases: string[];
}

/** How moto answered while the organization was built (the items of the header, as observed). */
interface EmulatorFacts {
  /** CreateKey without KeyUsage answered without KeyUsage (item 1). */
  omitsKeyUsage: boolean;
  /** GetKeyRotationStatus carries the RotationPeriodInDays given to EnableKeyRotation (item 3). */
  keepsRotationPeriod: boolean;
  /** ARNs of the primaries DescribeKey reported as REPLICA naming themselves (item 5). */
  selfNamedPrimaries: Set<string>;
}

interface Org {
  /** Credentials acting in each account (the base ones in the management account). */
  sessions: Map<string, Credentials>;
  managementId: string;
  prodId: string;
  devId: string;
  sandboxId: string;
  names: Map<string, string>;
  ouPaths: Map<string, string>;
  keys: Made[];
  emulator: EmulatorFacts;
}

let moto: Moto | undefined;
let org: Org;
const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// moto_server: a free port, started, answering, stopped

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The environment without AWS_* and MOTO_* settings (MOTO_ACCOUNT_ID would move every request to one account). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('MOTO_')));
}

function launchMoto(port: number): Promise<Moto> {
  return new Promise((resolve, reject) => {
    const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      if (child.pid !== undefined && child.exitCode === null) stopProcess(child).catch(() => undefined);
      reject(err);
    };
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? Object.assign(new Error(NOT_INSTALLED), { notInstalled: true }) : err));
    child.once('exit', (code, signal) => fail(new Error(`moto_server exited (code ${code}, signal ${signal}) before answering on port ${port}: ${stderr.trim().slice(-600)}`)));
    const endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    const poll = async (): Promise<void> => {
      while (!settled) {
        try {
          const res = await fetch(`${endpoint}/moto-api/`);
          await res.arrayBuffer();
          if (res.ok) {
            settled = true;
            resolve({ endpoint, child });
            return;
          }
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) return fail(new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr.trim().slice(-600)}`));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    void poll();
  });
}

async function startMoto(): Promise<Moto> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchMoto(await freePort());
    } catch (err) {
      // Another process may take the port between freePort and moto binding it: try another.
      if ((err as { notInstalled?: boolean }).notInstalled || attempt >= 3) throw err;
    }
  }
}

/** SIGTERM to the process group this test started (the pyenv shim execs python in place), SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// The organization, built through the API

const BASE: Credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

function config(endpoint: string, credentials: Credentials, region = HOME_REGION) {
  return { endpoint, region, credentials, maxAttempts: 1 };
}

async function buildOrganization(endpoint: string): Promise<Org> {
  const orgs = new OrganizationsClient(config(endpoint, BASE));
  const sts = new STSClient(config(endpoint, BASE));
  const managementId = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
  const created = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  expect(created.Organization?.MasterAccountId).toBe(managementId);
  const rootId = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const workloads = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
  const payments = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: workloads, Name: 'Payments' }))).OrganizationalUnit!.Id!;

  const names = new Map<string, string>([[managementId, (await orgs.send(new DescribeAccountCommand({ AccountId: managementId }))).Account!.Name!]]);
  const createAccount = async (name: string): Promise<string> => {
    let status = (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus!;
    // CreateAccount is asynchronous in AWS: poll until it settles (moto answers SUCCEEDED at once).
    for (let i = 0; status.State === 'IN_PROGRESS' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id! }))).CreateAccountStatus!;
    }
    expect(status.State, `CreateAccount ${name}: ${status.FailureReason ?? ''}`).toBe('SUCCEEDED');
    names.set(status.AccountId!, name);
    return status.AccountId!;
  };
  const prodId = await createAccount('payments-prod');
  const devId = await createAccount('platform-dev');
  const sandboxId = await createAccount('sandbox');
  await orgs.send(new MoveAccountCommand({ AccountId: prodId, SourceParentId: rootId, DestinationParentId: payments }));
  await orgs.send(new MoveAccountCommand({ AccountId: devId, SourceParentId: rootId, DestinationParentId: workloads }));
  const ouPaths = new Map([
    [managementId, 'Root'],
    [prodId, 'Root/Workloads/Payments'],
    [devId, 'Root/Workloads'],
    [sandboxId, 'Root'],
  ]);

  // Into each member as an administrator would (OrganizationAccountAccessRole, which CreateAccount
  // makes in AWS); moto's AssumeRole credentials act in the account of the role ARN.
  const sessions = new Map<string, Credentials>([[managementId, BASE]]);
  for (const accountId of [prodId, devId, sandboxId]) {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'build-org' }));
    const c = out.Credentials!;
    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    expect((await new STSClient(config(endpoint, session)).send(new GetCallerIdentityCommand({}))).Account).toBe(accountId);
    sessions.set(accountId, session);
  }

  const clients = new Map<string, KMSClient>();
  const kms = (accountId: string, region: string): KMSClient => {
    const id = `${accountId}|${region}`;
    if (!clients.has(id)) clients.set(id, new KMSClient(config(endpoint, sessions.get(accountId)!, region)));
    return clients.get(id)!;
  };
  const keys: Made[] = [];
  const emulator: EmulatorFacts = { omitsKeyUsage: true, keepsRotationPeriod: false, selfNamedPrimaries: new Set() };

  interface Spec {
    keySpec?: string;
    keyUsage?: string;
    origin?: 'EXTERNAL';
    rotation?: { periodDays: number | null };
    onDemandRotation?: boolean;
    state?: 'Disabled' | 'PendingDeletion';
    multiRegion?: boolean;
    describeDenied?: boolean;
    alias?: string;
  }
  const make = async (label: string, accountId: string, region: string, spec: Spec = {}): Promise<Made> => {
    const client = kms(accountId, region);
    const input: CreateKeyCommandInput = { Description: label };
    if (spec.keySpec) input.KeySpec = spec.keySpec as CreateKeyCommandInput['KeySpec'];
    if (spec.keyUsage) input.KeyUsage = spec.keyUsage as CreateKeyCommandInput['KeyUsage'];
    if (spec.origin) input.Origin = spec.origin;
    if (spec.multiRegion) input.MultiRegion = true;
    if (spec.describeDenied) {
      // A key policy any account may write: the account administers the key, and nobody may describe it.
      input.Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'Nobody describes this key', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kms:DescribeKey'], Resource: '*' },
        ],
      });
    }
    const metadata = (await client.send(new CreateKeyCommand(input))).KeyMetadata!;
    const keyId = metadata.KeyId!;
    if (!spec.keyUsage && metadata.KeyUsage !== undefined) emulator.omitsKeyUsage = false;
    if (spec.rotation) {
      await client.send(new EnableKeyRotationCommand({ KeyId: keyId, ...(spec.rotation.periodDays !== null ? { RotationPeriodInDays: spec.rotation.periodDays } : {}) }));
      if (spec.rotation.periodDays !== null) {
        const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
        if (status.RotationPeriodInDays === spec.rotation.periodDays) emulator.keepsRotationPeriod = true;
      }
    }
    if (spec.onDemandRotation) await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    if (spec.state === 'Disabled') await client.send(new DisableKeyCommand({ KeyId: keyId }));
    if (spec.state === 'PendingDeletion') await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    if (spec.alias) await client.send(new CreateAliasCommand({ AliasName: spec.alias, TargetKeyId: keyId }));
    const made: Made = {
      label,
      accountId,
      region,
      keyId,
      keyArn: metadata.Arn!,
      keySpec: spec.keySpec ?? 'SYMMETRIC_DEFAULT',
      keyUsage: spec.keyUsage ?? null,
      origin: spec.origin ?? 'AWS_KMS',
      rotation: spec.rotation ?? null,
      onDemandRotation: spec.onDemandRotation ?? false,
      state: spec.state ?? 'Enabled',
      multiRegion: spec.multiRegion ? { type: 'PRIMARY' } : null,
      describeDenied: spec.describeDenied ?? false,
      aliases: spec.alias ? [spec.alias] : [],
    };
    keys.push(made);
    return made;
  };
  /** ReplicateKey, then DescribeKey on the replica and on the primary, as anyone checking the set would. */
  const replicate = async (primary: Made, region: string): Promise<Made> => {
    const out = await kms(primary.accountId, primary.region).send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: region }));
    const replica: Made = { ...primary, label: `${primary.label} replica`, region, keyArn: out.ReplicaKeyMetadata!.Arn!, aliases: [], multiRegion: { type: 'REPLICA', primary } };
    keys.push(replica);
    const replicaMeta = (await kms(primary.accountId, region).send(new DescribeKeyCommand({ KeyId: replica.keyId }))).KeyMetadata!;
    expect(replicaMeta.MultiRegionConfiguration?.PrimaryKey?.Arn).toBe(primary.keyArn);
    const primaryMeta = (await kms(primary.accountId, primary.region).send(new DescribeKeyCommand({ KeyId: primary.keyId }))).KeyMetadata!;
    if (selfNamedReplica(primaryMeta)) emulator.selfNamedPrimaries.add(primary.keyArn);
    return replica;
  };

  // The management account (the scanner uses the base credentials there): all compliant.
  await make('mgmt audit logs', managementId, 'us-east-1', { rotation: { periodDays: null }, alias: 'alias/org-audit-logs' });
  await make('mgmt 180 days', managementId, 'eu-west-1', { rotation: { periodDays: 180 } });

  // payments-prod (Root/Workloads/Payments): every kind of key.
  await make('rotation on, default period', prodId, 'us-east-1', { rotation: { periodDays: null }, alias: 'alias/payments-db' });
  await make('rotation on, 180 days', prodId, 'us-east-1', { rotation: { periodDays: 180 } });
  await make('rotation on, 400 days', prodId, 'us-east-1', { rotation: { periodDays: 400 } });
  await make('rotation off', prodId, 'us-east-1', { alias: 'alias/payments-legacy' });
  await make('rotation on, rotated on demand', prodId, 'us-east-1', { rotation: { periodDays: null }, onDemandRotation: true });
  await make('RSA signing', prodId, 'us-east-1', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', alias: 'alias/payments-signing' });
  await make('ECC signing', prodId, 'us-east-1', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
  await make('HMAC', prodId, 'us-east-1', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
  await make('disabled, rotation off', prodId, 'us-east-1', { state: 'Disabled' });
  await make('disabled, rotation on', prodId, 'us-east-1', { rotation: { periodDays: null }, state: 'Disabled' });
  await make('pending deletion, rotation off', prodId, 'us-east-1', { state: 'PendingDeletion' });
  await make('imported key material', prodId, 'us-east-1', { origin: 'EXTERNAL' });
  const prodPrimary = await make('multi-Region primary, rotation on', prodId, 'us-east-1', { multiRegion: true, rotation: { periodDays: null } });
  await replicate(prodPrimary, 'eu-west-1');
  await make('eu rotation off', prodId, 'eu-west-1', { alias: 'alias/eu-orders' });

  // platform-dev (Root/Workloads): a multi-Region set whose primary is outside the scanned regions.
  const devPrimary = await make('multi-Region primary outside the scan, rotation off', devId, OUTSIDE, { multiRegion: true });
  await replicate(devPrimary, 'eu-west-1');
  await make('explicit KeyUsage ENCRYPT_DECRYPT', devId, 'eu-west-1', { keyUsage: 'ENCRYPT_DECRYPT', rotation: { periodDays: 90 } });
  // A key in a region the scan does not cover, that no replica points at: it must not appear.
  await make('regional key outside the scan', devId, OUTSIDE);

  // sandbox (Root): one key nobody may describe (ERROR: the run is incomplete), one compliant.
  await make('DescribeKey denied by the key policy', sandboxId, 'us-east-1', { describeDenied: true });
  await make('sandbox compliant', sandboxId, 'eu-west-1', { rotation: { periodDays: 365 } });

  return { sessions, managementId, prodId, devId, sandboxId, names, ouPaths, keys, emulator };
}

function selfNamedReplica(m: KeyMetadata): boolean {
  return m.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA' && m.MultiRegionConfiguration.PrimaryKey?.Arn === m.Arn;
}

// ---------------------------------------------------------------------------------------------
// The oracle: README.md "Statuses" and the rule text, applied to what the test created

interface Expected {
  status: Status;
  /** What the reason must say. */
  reason: RegExp[];
}

/**
 * The rotation period the scanner is told. AWS answers the period set by EnableKeyRotation
 * (RotationPeriodInDays, default 365); moto drops it (header, item 3), and then the only period
 * AWS's documentation gives is its default: "The default value is 365 days"
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html).
 */
function periodOf(rotation: { periodDays: number | null }, emulator: EmulatorFacts): { days: number; reported: boolean } {
  if (!emulator.keepsRotationPeriod) return { days: 365, reported: false };
  return { days: rotation.periodDays ?? 365, reported: true };
}

function oracle(k: Made, emulator: EmulatorFacts): Expected {
  if (k.describeDenied) return { status: 'ERROR', reason: [/kms:DescribeKey/, /AccessDeniedException/] };
  // CreateKey without KeyUsage makes an ENCRYPT_DECRYPT key (API reference, CreateKey KeyUsage).
  const usage = k.keyUsage ?? 'ENCRYPT_DECRYPT';
  if (k.keySpec.startsWith('HMAC_')) return { status: 'NOT_APPLICABLE', reason: [/HMAC/] };
  if (k.keySpec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') return { status: 'NOT_APPLICABLE', reason: [/asymmetric/i, new RegExp(k.keySpec)] };
  if (k.origin === 'EXTERNAL') return { status: 'NOT_APPLICABLE', reason: [/imported key material/i] };
  if (k.multiRegion?.type === 'REPLICA') {
    // "multi-Region replica (judged on its primary, named by ARN)"; the README's multi-Region section: the replica's row names its primary's verdict.
    const primary = oracle(k.multiRegion.primary, emulator);
    return { status: 'NOT_APPLICABLE', reason: [/replica/i, new RegExp(escape(k.multiRegion.primary.keyArn)), new RegExp(`judged ${primary.status} in ${k.multiRegion.primary.region}`)] };
  }
  if (k.state === 'PendingDeletion') return { status: 'NOT_APPLICABLE', reason: [/pending deletion/i] };
  if (k.state === 'Disabled') return { status: 'NOT_APPLICABLE', reason: [/disabled/i] };
  if (!k.rotation) return { status: 'FAIL', reason: [/rotation is disabled/i] };
  const period = periodOf(k.rotation, emulator);
  const days = period.reported ? [new RegExp(`every ${period.days} days`)] : [/every 365 days \(the AWS default; no period was returned\)/];
  // FAIL "with a period above the policy (the reason gives both numbers)".
  if (period.days > POLICY_DAYS) return { status: 'FAIL', reason: [...days, new RegExp(`${POLICY_DAYS}`)] };
  return { status: 'PASS', reason: [...days, /enabled/] };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Keys the scan lists: those of the scanned regions, and primaries a replica in scope points at. */
function inScope(keys: Made[]): Made[] {
  const pointedAt = new Set(keys.flatMap((k) => (k.multiRegion?.type === 'REPLICA' && isScanned(k.region) ? [k.multiRegion.primary.keyArn] : [])));
  return keys.filter((k) => isScanned(k.region) || pointedAt.has(k.keyArn));
}

// ---------------------------------------------------------------------------------------------
// moto's answers on the wire, against AWS's KMS model

interface RawAnswer {
  status: number;
  json: Record<string, unknown> | null;
}

/** One KMS call as bytes on the wire (awsJson1_1). moto does not check signatures (header, item 8): the credential scope names the account. */
function rawKms(credentials: Credentials, region: string, operation: string, body: Record<string, unknown>): Promise<RawAnswer> {
  return rawJson(credentials, region, 'kms', `TrentService.${operation}`, body);
}

async function rawJson(credentials: Credentials, region: string, service: string, target: string, body: Record<string, unknown>): Promise<RawAnswer> {
  const res = await fetch(`${moto!.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': target,
      Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> | null };
}

/**
 * Every call the scanner makes on the organization's keys (ListKeys, ListAliases per account and
 * region; DescribeKey per key; GetKeyRotationStatus and ListKeyRotations per key the rule applies
 * to), sent raw, each answer checked against the output shape of AWS's KMS model. Returns the
 * problems, one line per operation and member (list indexes folded).
 */
async function modelProblems(): Promise<string[]> {
  const model = loadModel('kms-2014-11-01.json.gz');
  const problems = new Set<string>();
  const check = (operation: string, answer: RawAnswer, expectedError?: string): void => {
    // An error as AWS sends it for awsJson1_1: HTTP 400 and the code in __type.
    if (expectedError) return void (answer.status === 400 && answer.json?.__type === expectedError ? undefined : problems.add(`${operation}: HTTP ${answer.status} ${String(answer.json?.__type)}, not 400 ${expectedError}`));
    if (answer.status !== 200) return void problems.add(`${operation}: HTTP ${answer.status} ${String(answer.json?.__type)}`);
    for (const p of validateShape(model, model.operations[operation]!.output!.shape, answer.json)) problems.add(`${operation}: ${p.replace(/\[\d+\]/g, '[]').replace(/^\w+/, '')}`);
  };
  const keys = inScope(org.keys);
  for (const pair of new Set(keys.map((k) => `${k.accountId}|${k.region}`))) {
    const [accountId, region] = pair.split('|') as [string, string];
    const credentials = org.sessions.get(accountId)!;
    check('ListKeys', await rawKms(credentials, region, 'ListKeys', { Limit: 1000 }));
    check('ListAliases', await rawKms(credentials, region, 'ListAliases', { Limit: 100 }));
  }
  for (const k of keys) {
    const credentials = org.sessions.get(k.accountId)!;
    check('DescribeKey', await rawKms(credentials, k.region, 'DescribeKey', { KeyId: k.keyId }), k.describeDenied ? 'AccessDeniedException' : undefined);
    const verdict = oracle(k, org.emulator).status;
    if (verdict !== 'PASS' && verdict !== 'FAIL') continue;
    check('GetKeyRotationStatus', await rawKms(credentials, k.region, 'GetKeyRotationStatus', { KeyId: k.keyId }));
    check('ListKeyRotations', await rawKms(credentials, k.region, 'ListKeyRotations', { KeyId: k.keyId, Limit: 1000 }));
  }
  return [...problems].sort();
}

/** The Organizations calls the scanner makes, sent raw by the management account, against AWS's Organizations model. */
async function organizationsProblems(): Promise<string[]> {
  const model = loadModel('organizations-2016-11-28.json.gz');
  const problems = new Set<string>();
  const call = async (operation: string, body: Record<string, unknown>): Promise<RawAnswer> => {
    const answer = await rawJson(BASE, HOME_REGION, 'organizations', `AWSOrganizationsV20161128.${operation}`, body);
    if (answer.status !== 200) problems.add(`${operation}: HTTP ${answer.status} ${String(answer.json?.__type)}`);
    else for (const p of validateShape(model, model.operations[operation]!.output!.shape, answer.json)) problems.add(`${operation}: ${p.replace(/\[\d+\]/g, '[]').replace(/^\w+/, '')}`);
    return answer;
  };
  await call('DescribeOrganization', {});
  await call('ListAccounts', { MaxResults: 20 });
  const roots = (await call('ListRoots', { MaxResults: 20 })).json?.Roots as { Id: string }[];
  await call('ListOrganizationalUnitsForParent', { ParentId: roots[0]!.Id, MaxResults: 20 });
  for (const accountId of [org.managementId, org.prodId, org.devId, org.sandboxId]) await call('ListParents', { ChildId: accountId, MaxResults: 20 });
  return [...problems].sort();
}

// ---------------------------------------------------------------------------------------------
// The CLI

interface CliRun {
  code: number | null;
  stderr: string;
  out: string;
}

async function runScan(extra: string[]): Promise<CliRun> {
  const work = await tempDir('kra-moto-');
  const out = join(work, 'run');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    NODE_NO_WARNINGS: '1',
    AWS_ACCESS_KEY_ID: BASE.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BASE.secretAccessKey,
    AWS_REGION: HOME_REGION,
    AWS_ENDPOINT_URL: moto!.endpoint,
    AWS_CONFIG_FILE: join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const args = [cli, 'scan', '--out', out, '--reports-root', join(work, 'reports'), '--regions', SCANNED.join(','), '--log-format', 'json', '--log-level', 'warn', '--no-progress', ...extra];
  const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  children.delete(child);
  return { code, stderr, out };
}

async function readRun(run: CliRun): Promise<{ header: ResultsHeader; keys: KeyResult[]; csv: Record<string, string>[] }> {
  const doc = JSON.parse(await readFile(join(run.out, 'results.json'), 'utf8')) as { header: ResultsHeader; keys: KeyResult[] };
  const csv = parse(await readFile(join(run.out, 'findings.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  return { header: doc.header, keys: doc.keys, csv };
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  expect(existsSync(cli), `${cli} is built by npm run build (npm run test:system runs it first)`).toBe(true);
  moto = await startMoto();
  org = await buildOrganization(moto.endpoint);
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (moto) await stopProcess(moto.child);
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('an organization built through the API of moto, an independent AWS emulator', () => {
  it('moto answers as documented here (the header\'s list of differences from AWS, checked live)', async () => {
    const { endpoint } = moto!;
    const kms = (region: string) => new KMSClient(config(endpoint, BASE, region));
    const [p1, p2] = PROBE;
    const [symmetric, rsa, hmac, external] = await Promise.all([
      kms(p1).send(new CreateKeyCommand({})),
      kms(p1).send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })),
      kms(p1).send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })),
      kms(p1).send(new CreateKeyCommand({ Origin: 'EXTERNAL' })),
    ]);
    const id = symmetric.KeyMetadata!.KeyId!;

    // 1, 2, 8: the wire, through a request with a made-up signature.
    const raw = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'TrentService.DescribeKey',
        Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${p1}/kms/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ KeyId: id }),
    });
    expect(raw.status).toBe(200);
    const wire = ((await raw.json()) as { KeyMetadata: Record<string, unknown> }).KeyMetadata;
    expect(wire).toMatchObject({ KeyUsage: null, MultiRegion: null, SigningAlgorithms: [], KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'CUSTOMER' });
    expect(symmetric.KeyMetadata!.KeyUsage).toBeUndefined();
    expect(hmac.KeyMetadata!.MacAlgorithms).toBeUndefined();
    expect(hmac.KeyMetadata!.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);

    // 3: the period is dropped.
    await kms(p1).send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 400 }));
    const { $metadata: _metadata, ...status } = await kms(p1).send(new GetKeyRotationStatusCommand({ KeyId: id }));
    expect(status).toEqual({ KeyRotationEnabled: true });

    // 4: rotation on keys AWS refuses it for.
    const rsaId = rsa.KeyMetadata!.KeyId!;
    expect((await kms(p1).send(new GetKeyRotationStatusCommand({ KeyId: rsaId }))).KeyRotationEnabled).toBe(false);
    await kms(p1).send(new EnableKeyRotationCommand({ KeyId: rsaId }));
    await kms(p1).send(new DisableKeyCommand({ KeyId: id }));
    await kms(p1).send(new EnableKeyRotationCommand({ KeyId: id }));

    // 6: imported key material without an import.
    expect(external.KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'Enabled' });

    // 5: a multi-Region set.
    const primary = (await kms(p1).send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    await kms(p1).send(new CreateAliasCommand({ AliasName: 'alias/probe-primary', TargetKeyId: primary.KeyId! }));
    const replicated = await kms(p1).send(new ReplicateKeyCommand({ KeyId: primary.KeyId!, ReplicaRegion: p2 }));
    expect(replicated.ReplicaKeyMetadata?.Arn).toContain(`:${p2}:`);
    expect(replicated.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
    expect((await kms(p1).send(new DescribeKeyCommand({ KeyId: primary.KeyId! }))).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
    const replica = (await kms(p2).send(new DescribeKeyCommand({ KeyId: primary.KeyId! }))).KeyMetadata!;
    expect(replica.MultiRegionConfiguration).toMatchObject({ MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: primary.Arn, Region: p1 } });
    expect(selfNamedReplica((await kms(p1).send(new DescribeKeyCommand({ KeyId: primary.KeyId! }))).KeyMetadata!)).toBe(true);
    const replicaAliases = (await kms(p2).send(new ListAliasesCommand({}))).Aliases!;
    expect(replicaAliases.find((a) => a.AliasName === 'alias/probe-primary')?.TargetKeyId).toBe(primary.KeyId);

    // 7: Limit ignored; AWS managed aliases naming keys ListKeys does not list.
    const listed = await kms(p1).send(new ListKeysCommand({ Limit: 1 }));
    expect(listed.Keys!.length).toBeGreaterThan(1);
    expect(listed.Truncated).toBe(false);
    expect((await rawKms(BASE, p1, 'ListResourceTags', { KeyId: id })).json).toEqual({ Tags: [], NextMarker: null, Truncated: false });
    const aliases = (await kms(p1).send(new ListAliasesCommand({ Limit: 1 }))).Aliases!;
    expect(aliases.length).toBeGreaterThan(1);
    const keyIds = new Set(listed.Keys!.map((k) => k.KeyId));
    const managed = aliases.filter((a) => a.AliasName?.startsWith('alias/aws/'));
    expect(managed.length).toBeGreaterThan(0);
    for (const alias of managed) expect(keyIds.has(alias.TargetKeyId)).toBe(false);

    // 9: DescribeRegions beyond the partition; keys in a region it calls not opted in.
    const regions = (await new EC2Client(config(endpoint, BASE)).send(new DescribeRegionsCommand({ AllRegions: true }))).Regions!;
    expect(regions.filter((r) => r.RegionName!.startsWith('us-gov-')).map((r) => r.OptInStatus)).toEqual(['opt-in-not-required', 'opt-in-not-required']);
    expect(regions.find((r) => r.RegionName === 'ap-east-1')?.OptInStatus).toBe('not-opted-in');
    expect((await kms('ap-east-1').send(new CreateKeyCommand({}))).KeyMetadata?.KeyState).toBe('Enabled');

    // 8: AssumeRole into a role nobody made, in an account outside the organization.
    const assumed = await new STSClient(config(endpoint, BASE)).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999988887777:role/NoSuchRole', RoleSessionName: 'probe' }));
    expect(assumed.AssumedRoleUser?.Arn).toBe('arn:aws:sts::999988887777:assumed-role/NoSuchRole/probe');

    // Every answer the scanner gets on the organization's keys, against AWS's KMS model: nulls where
    // the model has a string, list or boolean (items 1, 2, 7); nothing else.
    expect(await modelProblems()).toEqual([
      'DescribeKey: .KeyMetadata.EncryptionAlgorithms: expected a list',
      'DescribeKey: .KeyMetadata.KeyUsage: expected a string',
      'DescribeKey: .KeyMetadata.MultiRegion: expected a boolean',
      'DescribeKey: .KeyMetadata.SigningAlgorithms: expected a list',
      'ListKeys: .NextMarker: expected a string',
    ]);
    expect(await organizationsProblems()).toEqual(['ListAccounts: .NextToken: expected a string', 'ListOrganizationalUnitsForParent: .NextToken: expected a string']);
    // What the organization's build observed agrees (the oracle reads these).
    expect(org.emulator.omitsKeyUsage).toBe(true);
    expect(org.emulator.keepsRotationPeriod).toBe(false);
    expect([...org.emulator.selfNamedPrimaries].sort()).toEqual(org.keys.filter((k) => k.multiRegion?.type === 'PRIMARY').map((k) => k.keyArn).sort());
  }, 30_000);

  it('the CLI judges every key it created as the oracle does, reports coverage exactly, and exits 2 (one key could not be read)', async () => {
    const run = await runScan([]);
    expect(run.code, run.stderr.slice(-2000)).toBe(2);
    const { header, keys, csv } = await readRun(run);
    const expectedKeys = inScope(org.keys);
    // 22 keys the scan must list: 21 in the scanned regions and the primary outside them.
    expect(expectedKeys).toHaveLength(22);

    // Every key exactly once (results.json and findings.csv), nothing else.
    const id = (k: { accountId: string; region: string; keyId: string }) => `${k.accountId}|${k.region}|${k.keyId}`;
    expect(keys.map(id).sort()).toEqual(expectedKeys.map(id).sort());
    expect(csv.map((row) => `${row.account_id}|${row.region}|${row.key_id}`).sort()).toEqual(expectedKeys.map(id).sort());

    const byStatus: Record<string, number> = { PASS: 0, FAIL: 0, NOT_APPLICABLE: 0, EXCEPTION: 0, ERROR: 0 };
    for (const made of expectedKeys) {
      const row = keys.find((k) => id(k) === id(made))!;
      const csvRow = csv.find((r) => `${r.account_id}|${r.region}|${r.key_id}` === id(made))!;
      const want = oracle(made, org.emulator);
      byStatus[want.status]!++;
      const what = `${made.label} (${id(made)}): ${row.reason}`;
      expect(row.status, what).toBe(want.status);
      expect(csvRow.status, what).toBe(want.status);
      for (const pattern of want.reason) expect(row.reason, what).toMatch(pattern);
      expect(row.keyArn, what).toBe(made.keyArn);
      expect(row.accountName, what).toBe(org.names.get(made.accountId));
      expect(row.ouPath, what).toBe(org.ouPaths.get(made.accountId));
      expect(row.aliases, what).toEqual(made.aliases);
      if (want.status === 'ERROR') {
        expect(row.error, what).toMatchObject({ code: 'AccessDeniedException', operation: 'kms:DescribeKey' });
        continue;
      }
      // KeyUsage: what AWS would have answered, inferred on the row where moto left it out.
      expect(row.keyUsage, what).toBe(made.keyUsage ?? (made.keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : null));
      const inferred = made.keyUsage === null && made.keySpec === 'SYMMETRIC_DEFAULT' && org.emulator.omitsKeyUsage;
      const keyUsageNote = (row.inferences ?? []).filter((note) => /KeyUsage absent/.test(note));
      expect(keyUsageNote, what).toHaveLength(inferred ? 1 : 0);
      expect(csvRow.inferences!.includes('KeyUsage absent'), what).toBe(inferred);
      if (made.multiRegion?.type === 'PRIMARY') {
        expect(row.multiRegionType, what).toBe('PRIMARY');
        const selfNamed = org.emulator.selfNamedPrimaries.has(made.keyArn);
        expect((row.inferences ?? []).some((note) => /named this key as its own primary/.test(note)), what).toBe(selfNamed);
        if (!isScanned(made.region)) expect(row.reason, what).toMatch(/outside the scan's regions because a replica in scope names it as primary/);
      }
      if (made.multiRegion?.type === 'REPLICA') {
        expect(row.multiRegionType, what).toBe('REPLICA');
        expect(row.primaryKeyArn, what).toBe(made.multiRegion.primary.keyArn);
      }
      if (want.status === 'PASS' || want.status === 'FAIL') expect(row.rotationEnabled, what).toBe(made.rotation !== null);
      // A period moto left out is read as AWS's documented default, and the row says so.
      const periodNote = (row.inferences ?? []).some((note) => /RotationPeriodInDays absent: 365 days read/.test(note));
      expect(periodNote, what).toBe(made.rotation !== null && (want.status === 'PASS' || want.status === 'FAIL') && !org.emulator.keepsRotationPeriod);
      if (made.onDemandRotation) {
        expect(row.lastRotationType, what).toBe('ON_DEMAND');
        expect(row.reason, what).toMatch(/last rotated \d{4}-\d\d-\d\d \(on demand\)/);
      }
      expect(row.evidenceGaps ?? [], what).toEqual([]);
    }
    // The one verdict that differs from AWS's, and why (header, item 3).
    const long = expectedKeys.find((k) => k.label === 'rotation on, 400 days')!;
    expect(oracle(long, { ...org.emulator, keepsRotationPeriod: true }).status).toBe('FAIL');
    expect(byStatus).toEqual(org.emulator.keepsRotationPeriod ? { PASS: 8, FAIL: 4, NOT_APPLICABLE: 9, EXCEPTION: 0, ERROR: 1 } : { PASS: 9, FAIL: 3, NOT_APPLICABLE: 9, EXCEPTION: 0, ERROR: 1 });
    expect(header.summary.byStatus).toEqual(byStatus);

    // Coverage: every account scanned (the base credentials in the management account, the read
    // role elsewhere), every account x scanned region scanned with the keys it holds, and the run
    // incomplete because of the one key it could not read.
    const accounts = [org.managementId, org.prodId, org.devId, org.sandboxId];
    expect(header.coverage.accounts.map((a) => a.accountId).sort()).toEqual([...accounts].sort());
    for (const account of header.coverage.accounts) {
      const management = account.accountId === org.managementId;
      expect(account).toMatchObject({
        status: 'scanned',
        state: 'ACTIVE',
        error: null,
        ouPath: org.ouPaths.get(account.accountId),
        access: management ? 'base-credentials' : 'assumed-role',
        roleArn: management ? null : `arn:aws:iam::${account.accountId}:role/${READ_ROLE}`,
      });
    }
    const pairs = accounts.flatMap((accountId) => SCANNED.map((region) => ({ accountId, region })));
    expect(header.coverage.regions.map((r) => `${r.accountId}|${r.region}`).sort()).toEqual(pairs.map((p) => `${p.accountId}|${p.region}`).sort());
    for (const region of header.coverage.regions) {
      const held = expectedKeys.filter((k) => k.accountId === region.accountId && k.region === region.region);
      expect(region, `${region.accountId} ${region.region}`).toMatchObject({
        status: 'scanned',
        error: null,
        keyCount: held.length,
        keyErrors: held.filter((k) => oracle(k, org.emulator).status === 'ERROR').length,
      });
    }
    // The run finished (`complete`), its coverage did not: one key could not be assessed.
    expect(header.complete).toBe(true);
    expect(header.extensions.scan).toMatchObject({ coverageComplete: false, gaps: { accounts: 0, regions: 0, errorKeys: 1 } });
    expect(header.parameters.roleName).toBe(READ_ROLE);
    expect(header.managementAccountId).toBe(org.managementId);
  }, 40_000);

  it('exits 1 where keys FAIL and every key was read, 0 where every key passes', async () => {
    const [failing, passing] = await Promise.all([runScan(['--accounts', `${org.prodId},${org.devId}`]), runScan(['--accounts', org.managementId])]);
    expect(failing.code, failing.stderr.slice(-2000)).toBe(1);
    expect(passing.code, passing.stderr.slice(-2000)).toBe(0);
    const fail = await readRun(failing);
    expect(fail.header.extensions.scan).toMatchObject({ coverageComplete: true });
    expect(fail.keys.filter((k) => k.status === 'FAIL').map((k) => k.keyArn).sort()).toEqual(
      inScope(org.keys)
        .filter((k) => (k.accountId === org.prodId || k.accountId === org.devId) && oracle(k, org.emulator).status === 'FAIL')
        .map((k) => k.keyArn)
        .sort(),
    );
    const pass = await readRun(passing);
    expect(pass.header.extensions.scan).toMatchObject({ coverageComplete: true });
    expect(pass.keys.map((k) => k.status)).toEqual(['PASS', 'PASS']);
  }, 40_000);
});
