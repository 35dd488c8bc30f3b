/**
 * The seed's audit procedure (/work/shared/seed/kms-002-key-rotation-enabled.txt, "Using AWS CLI"),
 * done the way its steps read, with the real SDK: account by account, region by region, key by
 * key, one request at a time: ListKeys, then DescribeKey for each key, then GetKeyRotationStatus
 * for the symmetric customer managed ones. The organization walk (ListAccounts, AssumeRole) and
 * the region list (DescribeRegions) are added so that it covers what the scanner covers.
 * Started by run.ts with fork(): `seed-audit.js '<ScanJob JSON>'`; sends one SeedReport message.
 */
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { SimCredentials } from '../src/sim/index.js';
import { HOME_REGION } from './profile.js';
import type { ScanJob } from './scan-process.js';

export interface SeedReport {
  type: 'seed';
  accounts: number;
  keys: number;
  /** Symmetric customer managed keys whose rotation status was read. */
  checked: number;
  rotationOff: number;
  /** GetKeyRotationStatus answered an error (keys the seed's filter lets through but AWS refuses). */
  errors: number;
  calls: number;
  wallSeconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as ScanJob;
  const endpoint = job.endpoint;
  let calls = 0;
  const counted = async <T>(send: () => Promise<T>): Promise<T> => {
    calls++;
    return send();
  };
  const started = performance.now();
  const base = job.credentials;
  const sts = new STSClient({ region: HOME_REGION, endpoint, credentials: base });
  const me = await counted(() => sts.send(new GetCallerIdentityCommand({})));
  const organizations = new OrganizationsClient({ region: HOME_REGION, endpoint, credentials: base });
  const accounts: { id: string; state: string | undefined }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await counted(() => organizations.send(new ListAccountsCommand({ NextToken: nextToken })));
    for (const a of page.Accounts ?? []) accounts.push({ id: a.Id!, state: a.State ?? a.Status });
    nextToken = page.NextToken;
  } while (nextToken);

  const report: SeedReport = { type: 'seed', accounts: 0, keys: 0, checked: 0, rotationOff: 0, errors: 0, calls: 0, wallSeconds: 0 };
  for (const account of accounts) {
    if (account.state !== 'ACTIVE') continue;
    let credentials: SimCredentials;
    if (account.id === me.Account) credentials = base;
    else {
      try {
        const out = await counted(() => sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account.id}:role/KmsRotationAuditReader`, RoleSessionName: 'seed-audit' })));
        credentials = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken };
      } catch {
        continue; // no read role in that account: the seed procedure cannot enter it either
      }
    }
    report.accounts++;
    const ec2 = new EC2Client({ region: HOME_REGION, endpoint, credentials });
    const regions = await counted(() => ec2.send(new DescribeRegionsCommand({})));
    ec2.destroy();
    for (const region of (regions.Regions ?? []).map((r) => r.RegionName!)) {
      const kms = new KMSClient({ region, endpoint, credentials });
      let marker: string | undefined;
      do {
        const page = await counted(() => kms.send(new ListKeysCommand({ Marker: marker })));
        for (const key of page.Keys ?? []) {
          report.keys++;
          const described = await counted(() => kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })));
          const m = described.KeyMetadata;
          if (m?.KeyManager !== 'CUSTOMER' || m.KeySpec !== 'SYMMETRIC_DEFAULT') continue;
          try {
            const status = await counted(() => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })));
            report.checked++;
            if (!status.KeyRotationEnabled) report.rotationOff++;
          } catch {
            // e.g. UnsupportedOperationException for a key in an external key store: the CLI
            // procedure prints the error and the auditor moves on to the next key.
            report.errors++;
          }
        }
        marker = page.Truncated ? page.NextMarker : undefined;
      } while (marker);
      kms.destroy();
    }
  }
  report.calls = calls;
  report.wallSeconds = (performance.now() - started) / 1000;
  process.send!(report, () => process.exit(0));
}

await main();
