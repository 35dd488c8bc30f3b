/**
 * Credentials for the scan: the base identity (the standard provider chain unless injected) and one
 * AssumeRole session per member account, each cached and refreshed before it expires.
 *
 * The providers are marked `memoized` so SDK clients use them as they are
 * (@aws-sdk/core resolveAwsSdkSigV4Config skips its own memoization then): our cache decides when
 * to refresh, and `invalidate()` after an ExpiredToken answer takes effect on the next attempt.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { StaleCredentialsError, type CallSession } from './throttle.js';

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

/** Never sign with credentials this close to expiry (a request must arrive before they lapse). */
export function expiryMarginMs(lifetimeMs: number): number {
  return Math.min(30_000, Math.max(0, lifetimeMs) / 10);
}

/**
 * A provider that fetches once and reuses. In the refresh window it keeps answering the current,
 * still valid credentials and refreshes in the background; `get()` waits for a fetch only when it
 * has nothing fresh (first use, near expiry, or `invalidate()` after an ExpiredToken answer).
 * Concurrent fetches are coalesced.
 *
 * Why the SDK's own ask (`provider`) must not wait: it happens inside a request that already holds
 * one of the scan's in-flight slots; if it waited for an AssumeRole, which needs a slot too, a full
 * house of such requests would wait on each other forever (at concurrency 1, the first one does).
 * So this is the session the throttle drives (CallOptions.session): `get()` before taking a slot,
 * `isFresh()` once in it; the SDK's ask then answers at once with credentials that are still valid
 * (the expiry margin covers the microseconds between that check and the signature), and with no
 * valid credentials it fails at once (retried by the throttle, within the call's attempt budget)
 * instead of fetching inside the slot.
 *
 * Credentials that arrive already expired (this machine's clock ahead of AWS's by more than the
 * session lifetime) fail the fetch with CredentialsExpiredOnArrival: fetching again would only
 * bring more of the same.
 */
export class CachedCredentials implements CallSession {
  /** refreshAt: start a background refresh; freshUntil: stop using them for new requests; expiresAt: their real expiry. */
  private current: { credentials: AwsCredentials; refreshAt: number; freshUntil: number; expiresAt: number } | null = null;
  private pending: Promise<AwsCredentials> | null = null;
  readonly provider: CredentialsProvider;
  /** Fetches performed (initial + refreshes). */
  fetches = 0;

  constructor(
    private readonly fetch: () => Promise<AwsCredentials>,
    private readonly now: () => number = Date.now,
  ) {
    const provider: CredentialsProvider = () => this.forSigning();
    provider.memoized = true;
    this.provider = provider;
  }

  /** Fresh credentials, fetching them if needed (call this before taking an in-flight slot). */
  async get(): Promise<AwsCredentials> {
    const current = this.current;
    const now = this.now();
    if (current && now < current.freshUntil) {
      if (now >= current.refreshAt) this.refreshInBackground();
      return current.credentials;
    }
    return this.refresh();
  }

  /** Whether `get()` would answer without fetching. */
  isFresh(): boolean {
    return this.current !== null && this.now() < this.current.freshUntil;
  }

  /** The SDK's ask, inside a request: anything not yet expired, never waiting for a fetch. */
  private async forSigning(): Promise<AwsCredentials> {
    const current = this.current;
    if (current && this.now() < current.expiresAt) return current.credentials;
    throw new StaleCredentialsError('no valid credentials when the request was signed (they expired or were dropped while it queued)');
  }

  invalidate(): void {
    this.current = null;
  }

  private refreshInBackground(): void {
    // A failed background refresh is not lost: the next get() after expiry fetches and throws.
    this.refresh().catch(() => undefined);
  }

  private refresh(): Promise<AwsCredentials> {
    this.pending ??= this.fetchNow().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchNow(): Promise<AwsCredentials> {
    const fetchedAt = this.now();
    this.fetches++;
    const credentials = await this.fetch();
    const expiration = credentials.expiration?.getTime();
    if (expiration === undefined) {
      this.current = { credentials, refreshAt: Number.POSITIVE_INFINITY, freshUntil: Number.POSITIVE_INFINITY, expiresAt: Number.POSITIVE_INFINITY };
    } else {
      const lifetime = expiration - fetchedAt;
      const now = this.now();
      if (now >= expiration - expiryMarginMs(lifetime)) throw new CredentialsExpiredOnArrival(credentials.expiration!, now);
      this.current = { credentials, refreshAt: expiration - refreshWindowMs(lifetime), freshUntil: expiration - expiryMarginMs(lifetime), expiresAt: expiration };
    }
    return credentials;
  }
}

/** Credentials that were already expired, by this machine's clock, when they arrived. */
export class CredentialsExpiredOnArrival extends Error {
  override readonly name = 'CredentialsExpiredOnArrival';
  constructor(expiration: Date, now: number) {
    super(`the credentials were already expired when they arrived (expiration ${expiration.toISOString()}, this machine's clock ${new Date(now).toISOString()}): check the clock`);
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
