/**
 * SDK clients for the scan. Endpoints are never hard-coded: the SDK resolves them itself from
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the shared config file's endpoint_url
 * (@smithy/core getEndpointUrlConfig), unless an explicit `endpoint` is given (tests, demo).
 * maxAttempts is 1: retries are decided by src/aws/throttle.ts only. `cacheMiddleware: true` builds a
 * client's middleware chain once, not on every send (@smithy/smithy-client Client.send; nothing here
 * adds middleware after the first call); each client serves one account × region for all its calls.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { CredentialsProvider } from './credentials.js';
import type { SharedHttpHandler } from './http.js';

/** Extra SDK client settings (e.g. a logger, a custom user agent); never credentials, region or retries. */
export type ExtraClientConfig = Record<string, unknown>;

export interface ClientFactoryOptions {
  httpHandler: SharedHttpHandler;
  endpoint?: string;
  extraClientConfig?: ExtraClientConfig;
}

interface Destroyable {
  destroy(): void;
}

export class ClientFactory {
  constructor(private readonly options: ClientFactoryOptions) {}

  kms(region: string, credentials: CredentialsProvider): KMSClient {
    return reuseSigner(new KMSClient(this.config(region, credentials)));
  }

  sts(region: string, credentials: CredentialsProvider): STSClient {
    return reuseSigner(new STSClient(this.config(region, credentials)));
  }

  /** Organizations is a global service; the SDK maps any region of the partition to its endpoint. */
  organizations(region: string, credentials: CredentialsProvider): OrganizationsClient {
    return reuseSigner(new OrganizationsClient(this.config(region, credentials)));
  }

  /**
   * The EC2 client is loaded on first use, not at start-up: its module alone costs ~0.4 s and
   * ~65 MB of RSS on a quiet machine (issue 15), for one DescribeRegions per account.
   */
  async ec2(region: string, credentials: CredentialsProvider): Promise<EC2Client> {
    const { EC2Client } = await import('@aws-sdk/client-ec2');
    return reuseSigner(new EC2Client(this.config(region, credentials)));
  }

  private config(region: string, credentials: CredentialsProvider) {
    return {
      ...this.options.extraClientConfig,
      region,
      credentials,
      requestHandler: this.options.httpHandler,
      maxAttempts: 1,
      cacheMiddleware: true,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
    };
  }
}

type AuthScheme = Parameters<KMSClient['config']['signer']>[0];
type RequestSigner = Awaited<ReturnType<KMSClient['config']['signer']>>;

/**
 * One SigV4 signer per client and signing scope, instead of one per request. The SDK's default
 * `signer` (resolveAwsSdkSigV4Config in @aws-sdk/core) builds a new SignatureV4 from a copy of the
 * whole client configuration for every request it signs (AwsSdkSigV4Signer.sign asks for it each
 * time). A SignatureV4 can be reused: it reads the credentials provider on every sign
 * (@smithy/signature-v4). This keeps the SDK's own signer, built by the SDK's own code on the first
 * request, and hands the same instance back while the endpoint's auth scheme names the same scheme,
 * signing region and service. Issue 15: the scan's whole process used about 6 % less CPU (paired
 * runs of the 100-account bench); test/aws/clients.test.ts checks the reuse and that every request is
 * still signed, with the credentials of the moment, as the simulator verifies.
 */
function reuseSigner<C extends { config: { signer: (authScheme?: AuthScheme) => Promise<RequestSigner> } }>(client: C): C {
  const build = client.config.signer;
  let scope: string | undefined;
  let signer: Promise<RequestSigner> | undefined;
  client.config.signer = (authScheme?: AuthScheme) => {
    const key = `${authScheme?.name}|${authScheme?.signingRegion}|${authScheme?.signingName}`;
    if (!signer || key !== scope) {
      scope = key;
      signer = build(authScheme);
      signer.catch(() => {
        if (scope === key) signer = undefined; // a failed build (a region that cannot be resolved) is tried again
      });
    }
    return signer;
  };
  return client;
}

/** Destroys clients at the end of their unit of work (the shared HTTP agents stay open). */
export function destroyAll(clients: Iterable<Destroyable>): void {
  for (const client of clients) client.destroy();
}
