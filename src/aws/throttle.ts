/**
 * The one module every AWS call goes through (octokit/plugin-throttling in spirit):
 * - per account | region | quota bucket, a spacer computed from the clock (limiter.ts): launches at
 *   most the published quota × `quotaSafety` per second, at the cost of one subtraction per call;
 * - the management account's shared, binding quotas (its STS and Organizations calls, × the shard's
 *   share) under Bottleneck token buckets with one second of burst and an exact refill;
 * - one global semaphore capping requests in flight at `concurrency` (see semaphore.ts for why it is
 *   not a Bottleneck limiter); shared calls take the next free slot before any queued KMS call, so
 *   listing the organization and assuming roles never waits behind the accounts' KMS traffic;
 * - the only retry layer (SDK clients are built with maxAttempts 1): full-jitter exponential
 *   back-off on throttling, 5xx and dropped connections/timeouts, never on AccessDenied,
 *   NotFound or validation errors; an expired token refreshes the session and retries. Every
 *   attempt, including one abandoned because its credentials went stale while it queued, counts
 *   against `maxAttempts`: a call ends within its budget whatever its credentials do.
 * Time is injectable (sleep, random) so tests run in milliseconds.
 */
import Bottleneck from 'bottleneck';
import { classifyError, isRetryable, type ErrorClass } from './errors.js';
import { Spacer } from './limiter.js';
import { quotaFor, quotaKey, validateQuotaOverrides } from './quotas.js';
import { Semaphore } from './semaphore.js';

export interface CallScope {
  /** The account whose quota the call spends (the caller's account for STS and Organizations). */
  accountId: string;
  region: string;
  /** `service:Operation`, e.g. `kms:DescribeKey`. */
  operation: string;
  /** Limiters of shared calls (the management account's STS/Organizations) outlive releaseAccount. */
  shared?: boolean;
}

/**
 * The credentials a call signs with, as the throttle needs them (CachedCredentials in
 * credentials.ts is one). The throttle owns the protocol, so no caller can get it wrong:
 * `get()` before the attempt takes an in-flight slot (an AssumeRole needs a slot of its own, so
 * waiting for one inside a slot could deadlock), `isFresh()` once it holds the slot (false: the
 * credentials went stale while it queued; the slot is given back and the attempt counts),
 * `invalidate()` after an expired-token answer.
 */
export interface CallSession {
  get(): Promise<unknown>;
  isFresh(): boolean;
  invalidate(): void;
}

export interface CallOptions {
  /** Called before each attempt (per-key call tallies). */
  onAttempt?: () => void;
  /** The credentials the call signs with; without one an expired-token answer is final. */
  session?: CallSession;
}

export interface ThrottleConfig {
  concurrency: number;
  quotaSafety: number;
  quotaOverrides: Record<string, number>;
  maxAttempts: number;
  /** Share of the management account's STS/Organizations quotas this process may use (1 / shard count). */
  sharedQuotaShare?: number;
  /** Back-off bases in ms (SDK standard retry strategy: 100 ms, 500 ms for throttling, 20 s cap). */
  baseDelayMs?: number;
  throttlingBaseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ThrottleStats {
  /** Attempts sent, by `service:Operation`. */
  apiCalls: Record<string, number>;
  retries: number;
  retriesByClass: Partial<Record<ErrorClass, number>>;
  /** Calls that still failed with a retryable error after the last attempt. */
  exhausted: number;
  inFlight: number;
  maxInFlight: number;
  /** Live per-scope limiters (released with their account). */
  limiters: number;
  /** Sum of the attempts' durations (s): ÷ wall time = mean requests in flight; ÷ calls = mean round trip. */
  sendSeconds: number;
}

/**
 * An attempt whose credentials went stale while it waited for a slot: it gives the slot back and
 * counts against the budget like any other attempt (classified expired-credentials: refresh, retry).
 * Seen by a caller only when the budget runs out, e.g. a session that is stale again by the time
 * each attempt reaches its slot.
 */
export class StaleCredentialsError extends Error {
  override readonly name = 'CredentialsExpiredBeforeSend';
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A per-scope limiter: the cheap spacer, or a Bottleneck bucket for the shared quotas. */
type Limiter = { kind: 'spacer'; spacer: Spacer } | { kind: 'bucket'; bottleneck: Bottleneck };

export class Throttle {
  private readonly global: Semaphore;
  private readonly byAccount = new Map<string, Map<string, Limiter>>();
  private readonly sharedLimiters = new Map<string, Limiter>();
  private readonly apiCalls = new Map<string, number>();
  private readonly retriesByClass: Partial<Record<ErrorClass, number>> = {};
  private retries = 0;
  private exhausted = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private sendMs = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly throttlingBaseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly config: ThrottleConfig) {
    validateQuotaOverrides(config.quotaOverrides);
    this.global = new Semaphore(config.concurrency);
    this.sleep = config.sleep ?? defaultSleep;
    this.random = config.random ?? Math.random;
    this.baseDelayMs = config.baseDelayMs ?? 100;
    this.throttlingBaseDelayMs = config.throttlingBaseDelayMs ?? 500;
    this.maxDelayMs = config.maxDelayMs ?? 20_000;
  }

  /** Runs `send` under the scope's limiter and the global cap, retrying what is worth retrying. */
  async call<T>(scope: CallScope, send: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const limiter = this.limiterFor(scope);
    const session = options.session;
    let stale = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        if (session) await session.get();
        const run = (): Promise<T> =>
          this.global.run(async () => {
            if (session && !session.isFresh()) throw new StaleCredentialsError(`${scope.operation}: the credentials were no longer fresh when the request could be sent, ${++stale} attempt(s) in a row (check this machine's clock and the session duration)`);
            stale = 0;
            return this.attempt(scope.operation, send, options);
          }, scope.shared === true);
        if (limiter.kind === 'bucket') return await limiter.bottleneck.schedule(run);
        const wait = limiter.spacer.reserve();
        if (wait > 0) await defaultSleep(wait);
        return await run();
      } catch (err) {
        // The one retry decision: every path above lands here and spends one attempt.
        const cls: ErrorClass = err instanceof StaleCredentialsError ? 'expired-credentials' : classifyError(err);
        const retryable = isRetryable(cls) || (cls === 'expired-credentials' && session !== undefined);
        if (!retryable) throw err;
        if (attempt >= this.config.maxAttempts) {
          this.exhausted++;
          throw err;
        }
        this.retries++;
        this.retriesByClass[cls] = (this.retriesByClass[cls] ?? 0) + 1;
        if (cls === 'expired-credentials') {
          session?.invalidate();
          continue;
        }
        await this.sleep(this.backoffMs(attempt, cls));
      }
    }
  }

  /** Full jitter: uniform in [0, min(cap, base × 2^(attempt-1))] (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
  backoffMs(attempt: number, cls: ErrorClass): number {
    const base = cls === 'throttling' ? this.throttlingBaseDelayMs : this.baseDelayMs;
    return this.random() * Math.min(this.maxDelayMs, base * 2 ** (attempt - 1));
  }

  /** Resolves once fewer than `below` requests wait for an in-flight slot: start new work then. */
  whenBacklogBelow(below: number): Promise<void> {
    return this.global.whenWaitingBelow(below);
  }

  /** Drops the limiters of an account that is finished, so memory does not grow with accounts scanned. */
  releaseAccount(accountId: string): void {
    this.byAccount.delete(accountId);
  }

  stats(): ThrottleStats {
    let limiters = this.sharedLimiters.size;
    for (const perAccount of this.byAccount.values()) limiters += perAccount.size;
    return {
      apiCalls: Object.fromEntries([...this.apiCalls.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      retries: this.retries,
      retriesByClass: { ...this.retriesByClass },
      exhausted: this.exhausted,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      limiters,
      sendSeconds: this.sendMs / 1000,
    };
  }

  /** Requests per second a scope's limiter allows. */
  rateFor(scope: CallScope): number {
    const quota = quotaFor(scope.operation);
    const published = this.config.quotaOverrides[scope.operation] ?? this.config.quotaOverrides[quotaKey(scope.operation)] ?? quota.requestsPerSecond;
    const share = scope.shared ? (this.config.sharedQuotaShare ?? 1) : 1;
    return published * this.config.quotaSafety * share;
  }

  private async attempt<T>(operation: string, send: () => Promise<T>, options: CallOptions): Promise<T> {
    options.onAttempt?.();
    this.apiCalls.set(operation, (this.apiCalls.get(operation) ?? 0) + 1);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    const started = performance.now();
    try {
      return await send();
    } finally {
      this.inFlight--;
      this.sendMs += performance.now() - started;
    }
  }

  private limiterFor(scope: CallScope): Limiter {
    const quota = quotaFor(scope.operation);
    const key = quota.regional ? `${scope.region}|${quota.bucket}` : `*|${quota.bucket}`;
    let limiters: Map<string, Limiter>;
    let fullKey = key;
    if (scope.shared) {
      limiters = this.sharedLimiters;
      fullKey = `${scope.accountId}|${key}`;
    } else {
      let perAccount = this.byAccount.get(scope.accountId);
      if (!perAccount) {
        perAccount = new Map<string, Limiter>();
        this.byAccount.set(scope.accountId, perAccount);
      }
      limiters = perAccount;
    }
    let limiter = limiters.get(fullKey);
    if (!limiter) {
      const rate = this.rateFor(scope);
      limiter = scope.shared ? { kind: 'bucket', bottleneck: tokenBucket(rate) } : { kind: 'spacer', spacer: new Spacer(rate) };
      limiters.set(fullKey, limiter);
    }
    return limiter;
  }

  /** Stops the shared limiters' refill timers (end of scan). */
  close(): void {
    for (const limiter of this.sharedLimiters.values()) if (limiter.kind === 'bucket') void limiter.bottleneck.disconnect();
    this.sharedLimiters.clear();
    this.byAccount.clear();
  }
}

/**
 * Shared limiters (the management account's STS and Organizations calls, a handful per scan) are
 * token buckets with one second of burst, like the quotas they budget. Bottleneck adds a
 * reservoir increase only on its heartbeat (LocalDatastore: at most one increase per beat, default
 * 250 ms), so the heartbeat is matched to the increase interval and each increase carries the
 * tokens of one interval: 10/s refills 1 token every 100 ms (not 1 per 250 ms, i.e. 4/s), 300/s 15
 * tokens every 50 ms. The increase interval is one millisecond shorter than the beat, so a beat
 * that lands a millisecond early (Date.now against the timer clock) is not skipped.
 */
export function tokenBucket(rate: number): Bottleneck {
  const burst = Math.max(1, Math.floor(rate));
  const intervalMs = Math.max(50, Math.round(1000 / rate));
  const amount = (rate * intervalMs) / 1000;
  return new Bottleneck({
    reservoir: burst,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseInterval: intervalMs - 1,
    reservoirIncreaseMaximum: burst,
    heartbeatInterval: intervalMs,
  });
}
