/**
 * Write sessions for --apply, built from the scan's own AWS plumbing (src/aws): one shared HTTP
 * agent, SDK clients without their own retries, and every call under the throttling module, which
 * alone decides retries (EnableKeyRotation is idempotent, so retrying it is safe). Each account is
 * reached by AssumeRole into the write role, from the caller's credentials, in the home region.
 */
import { EnableKeyRotationCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { ClientFactory } from '../aws/clients.js';
import { CachedCredentials, baseCredentials, type AwsCredentials } from '../aws/credentials.js';
import { AwsCallError, toErrorRecord } from '../aws/errors.js';
import { SharedHttpHandler } from '../aws/http.js';
import { Throttle, type CallOptions, type ThrottleConfig } from '../aws/throttle.js';
import type { AccountWriter, WriteAccess } from './apply.js';
import type { RotationState } from './audit-log.js';

export interface AwsWriteAccessOptions {
  homeRegion: string;
  roleArnFor: (accountId: string) => string;
  externalId: string | null;
  roleSessionName?: string;
  /** Most AWS requests in flight. */
  concurrency: number;
  endpoint?: string;
  /** Base credentials; default: the standard provider chain. */
  credentials?: () => Promise<AwsCredentials>;
  /** Test knobs for the retry layer (sleep, random, delays). */
  throttle?: Partial<ThrottleConfig>;
}

export class AwsWriteAccess implements WriteAccess {
  private readonly http: SharedHttpHandler;
  private readonly clients: ClientFactory;
  private readonly throttle: Throttle;
  private readonly base: CachedCredentials;
  private readonly sts: STSClient;
  private callerAccount: Promise<string> | null = null;
  private readonly open_: Map<string, { kms: Map<string, KMSClient>; sts: STSClient }> = new Map();

  constructor(private readonly options: AwsWriteAccessOptions) {
    this.http = new SharedHttpHandler({ maxSockets: options.concurrency });
    this.clients = new ClientFactory({ httpHandler: this.http, endpoint: options.endpoint });
    this.throttle = new Throttle({ concurrency: options.concurrency, quotaSafety: 0.5, quotaOverrides: {}, maxAttempts: 6, ...options.throttle });
    this.base = baseCredentials(options.credentials);
    this.sts = this.clients.sts(options.homeRegion, this.base.provider);
  }

  roleArnFor(accountId: string): string {
    return this.options.roleArnFor(accountId);
  }

  async open(accountId: string): Promise<AccountWriter> {
    const home = this.options.homeRegion;
    const caller = await this.baseAccount();
    const roleArn = this.roleArnFor(accountId);
    const session = new CachedCredentials(() => this.assumeRole(caller, roleArn));
    await session.get();
    const sts = this.clients.sts(home, session.provider);
    const kms = new Map<string, KMSClient>();
    this.open_.set(accountId, { kms, sts });
    const refresh = { session };
    const identity = await this.call(accountId, home, 'sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})), refresh).catch((err: unknown) => {
      throw new AwsCallError(toErrorRecord(err, 'sts:GetCallerIdentity'), { cause: err });
    });
    const kmsIn = (region: string): KMSClient => {
      let client = kms.get(region);
      if (!client) {
        client = this.clients.kms(region, session.provider);
        kms.set(region, client);
      }
      return client;
    };
    return {
      callerArn: identity.Arn ?? roleArn,
      getRotationStatus: async (region, keyId): Promise<RotationState> => {
        const out = await this.call(accountId, region, 'kms:GetKeyRotationStatus', () => kmsIn(region).send(new GetKeyRotationStatusCommand({ KeyId: keyId })), refresh);
        return { enabled: out.KeyRotationEnabled === true, periodDays: out.RotationPeriodInDays ?? null };
      },
      enableRotation: async (region, keyId, periodDays): Promise<void> => {
        const input = { KeyId: keyId, ...(periodDays === null ? {} : { RotationPeriodInDays: periodDays }) };
        await this.call(accountId, region, 'kms:EnableKeyRotation', () => kmsIn(region).send(new EnableKeyRotationCommand(input)), refresh);
      },
    };
  }

  release(accountId: string): void {
    const clients = this.open_.get(accountId);
    if (clients) {
      for (const client of clients.kms.values()) client.destroy();
      clients.sts.destroy();
      this.open_.delete(accountId);
    }
    this.throttle.releaseAccount(accountId);
  }

  close(): void {
    for (const accountId of [...this.open_.keys()]) this.release(accountId);
    this.sts.destroy();
    this.http.close();
  }

  private call<T>(accountId: string, region: string, operation: string, send: () => Promise<T>, options: CallOptions): Promise<T> {
    return this.throttle.call({ accountId, region, operation }, send, options);
  }

  /** The caller's own account: STS calls from it spend its quota (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
  private baseAccount(): Promise<string> {
    this.callerAccount ??= this.throttle
      .call({ accountId: 'caller', region: this.options.homeRegion, operation: 'sts:GetCallerIdentity', shared: true }, () => this.sts.send(new GetCallerIdentityCommand({})), {
        session: this.base,
      })
      .then((identity) => identity.Account ?? 'caller')
      .catch((err: unknown) => {
        this.callerAccount = null;
        throw new AwsCallError(toErrorRecord(err, 'sts:GetCallerIdentity'), { cause: err });
      });
    return this.callerAccount;
  }

  private async assumeRole(callerAccount: string, roleArn: string): Promise<AwsCredentials> {
    try {
      const out = await this.throttle.call(
        { accountId: callerAccount, region: this.options.homeRegion, operation: 'sts:AssumeRole', shared: true },
        () =>
          this.sts.send(
            new AssumeRoleCommand({
              RoleArn: roleArn,
              RoleSessionName: this.options.roleSessionName ?? 'kms-rotation-remediate',
              DurationSeconds: 3600,
              ...(this.options.externalId ? { ExternalId: this.options.externalId } : {}),
            }),
          ),
        { session: this.base },
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error('AssumeRole answered without credentials'), { name: 'IncompleteResponse' });
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (err) {
      throw new AwsCallError(toErrorRecord(err, 'sts:AssumeRole'), { cause: err });
    }
  }
}
