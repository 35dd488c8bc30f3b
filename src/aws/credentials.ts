/**
 * Credentials for the scan: the base identity (the standard provider chain unless injected) and one
 * AssumeRole session per member account, each cached and refreshed before it expires.
 *
 * The providers are marked `memoized` so SDK clients use them as they are
 * (@aws-sdk/core resolveAwsSdkSigV4Config skips its own memoization then): our cache decides when
 * to refresh, and `invalidate()` after an ExpiredToken answer takes effect on the next attempt.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Structurally an SDK `AwsCredentialIdentityProvider`. */
export type CredentialsProvider = (() => Promise<AwsCredentials>) & { memoized?: boolean };

/** Refresh this long before expiry: 5 minutes (the SDK's own window), or a quarter of a short session. */
export function refreshWindowMs(lifetimeMs: number): number {
  return Math.min(5 * 60_000, Math.max(0, lifetimeMs) / 4);
}

/** A provider that fetches once, reuses until the refresh window, and coalesces concurrent refreshes. */
export class CachedCredentials {
  private current: { credentials: AwsCredentials; refreshAt: number } | null = null;
  private pending: Promise<AwsCredentials> | null = null;
  readonly provider: CredentialsProvider;
  /** Fetches performed (initial + refreshes). */
  fetches = 0;

  constructor(
    private readonly fetch: () => Promise<AwsCredentials>,
    private readonly now: () => number = Date.now,
  ) {
    const provider: CredentialsProvider = () => this.get();
    provider.memoized = true;
    this.provider = provider;
  }

  async get(): Promise<AwsCredentials> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.credentials;
    this.pending ??= this.refresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  invalidate(): void {
    this.current = null;
  }

  private async refresh(): Promise<AwsCredentials> {
    const fetchedAt = this.now();
    this.fetches++;
    const credentials = await this.fetch();
    const expiresAt = credentials.expiration?.getTime();
    const refreshAt = expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - refreshWindowMs(expiresAt - fetchedAt);
    this.current = { credentials, refreshAt };
    return credentials;
  }
}

/** The caller's own credentials: injected (tests, demo) or the standard chain (env, profile, SSO, container, instance, web identity). */
export function baseCredentials(injected?: () => Promise<AwsCredentials>, now?: () => number): CachedCredentials {
  const source = injected ?? fromNodeProviderChain();
  return new CachedCredentials(async () => {
    const identity = await source();
    return identity;
  }, now);
}
