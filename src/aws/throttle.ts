/**
 * The one module every AWS call goes through (octokit/plugin-throttling in spirit):
 * - a Bottleneck limiter per account | region | quota bucket, spacing requests at the published
 *   quota × `quotaSafety` (× the shard's share for the management account's STS/Organizations calls);
 * - one global semaphore capping requests in flight at `concurrency` (see semaphore.ts for why it is
 *   not a Bottleneck limiter);
 * - the only retry layer (SDK clients are built with maxAttempts 1): full-jitter exponential
 *   back-off on throttling, 5xx and dropped connections/timeouts, never on AccessDenied,
 *   NotFound or validation errors; an expired token refreshes the session and retries.
 * Time is injectable (sleep, random) so tests run in milliseconds.
 */
import Bottleneck from 'bottleneck';
import { classifyError, isRetryable, type ErrorClass } from './errors.js';
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

export interface CallOptions {
  /** Called before each attempt (per-key call tallies). */
  onAttempt?: () => void;
  /** Called when the call answered an expired token: drop cached credentials; the call is retried once refreshed. */
  onExpiredCredentials?: () => void;
  /**
   * Awaited before each attempt takes an in-flight slot: fetch the credentials the call will sign
   * with (an AssumeRole needs a slot of its own; waiting for it inside a slot could deadlock).
   */
  prepare?: () => Promise<unknown>;
  /** Checked once the attempt holds its slot: false (the credentials went stale while queued) gives the slot back and prepares again. */
  ready?: () => boolean;
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

/** Thrown inside a slot to give it back when the call's credentials went stale while it queued. */
const NOT_READY = Symbol('credentials not ready');

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Throttle {
  private readonly global: Semaphore;
  private readonly byAccount = new Map<string, Map<string, Bottleneck>>();
  private readonly sharedLimiters = new Map<string, Bottleneck>();
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
    for (let attempt = 1; ; attempt++) {
      try {
        await options.prepare?.();
        return await limiter.schedule(() =>
          this.global.run(async () => {
            if (options.ready && !options.ready()) throw NOT_READY;
            return this.attempt(scope.operation, send, options);
          }),
        );
      } catch (err) {
        if (err === NOT_READY) {
          attempt--;
          continue;
        }
        const cls = classifyError(err);
        const retryable = isRetryable(cls) || (cls === 'expired-credentials' && options.onExpiredCredentials !== undefined);
        if (!retryable) throw err;
        if (attempt >= this.config.maxAttempts) {
          this.exhausted++;
          throw err;
        }
        this.retries++;
        this.retriesByClass[cls] = (this.retriesByClass[cls] ?? 0) + 1;
        if (cls === 'expired-credentials') {
          options.onExpiredCredentials?.();
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

  private limiterFor(scope: CallScope): Bottleneck {
    const quota = quotaFor(scope.operation);
    const key = `${quota.regional ? scope.region : '*'}|${quota.bucket}`;
    let limiters: Map<string, Bottleneck>;
    if (scope.shared) {
      limiters = this.sharedLimiters;
    } else {
      limiters = this.byAccount.get(scope.accountId) ?? new Map<string, Bottleneck>();
      this.byAccount.set(scope.accountId, limiters);
    }
    const fullKey = scope.shared ? `${scope.accountId}|${key}` : key;
    let limiter = limiters.get(fullKey);
    if (!limiter) {
      limiter = scope.shared ? tokenBucket(this.rateFor(scope)) : new Bottleneck({ minTime: 1000 / this.rateFor(scope) });
      limiters.set(fullKey, limiter);
    }
    return limiter;
  }

  /** Stops the shared limiters' refill timers (end of scan). */
  close(): void {
    for (const limiter of this.sharedLimiters.values()) void limiter.disconnect();
    this.sharedLimiters.clear();
    this.byAccount.clear();
  }
}

/**
 * Shared limiters (the management account's STS and Organizations calls, a handful per scan) are
 * token buckets with one second of burst, like the quotas they budget: a refill timer each.
 * Per-account limiters (thousands) only space launches with minTime, so an idle one holds no timer.
 */
function tokenBucket(rate: number): Bottleneck {
  const burst = Math.max(1, Math.floor(rate));
  return new Bottleneck({ reservoir: burst, reservoirIncreaseAmount: 1, reservoirIncreaseInterval: Math.max(1, Math.round(1000 / rate)), reservoirIncreaseMaximum: burst });
}

