import type { ExtraClientConfig } from '../aws/clients.js';
import type { AwsCredentials } from '../aws/credentials.js';
import type { KeyResult, ResultsHeader, StatusCounts } from '../core/results.js';

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The logging the engine needs; a pino logger fits. */
export interface Logger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  debug: LogFn;
}

/** Progress callbacks (the CLI drives cli-progress on a terminal, periodic log lines otherwise). */
export interface ScanProgress {
  /**
   * Accounts in scope so far. The inventory streams (accounts are scanned while ListAccounts is
   * still paging), so this is called again as the count grows; the last call gives the total.
   */
  accountsTotal(total: number): void;
  /** An account finished (scanned, or recorded as an error). */
  accountDone(accountId: string, info: { keys: number; errors: number; status: 'scanned' | 'error' }): void;
  /** More keys judged (an increment). */
  keysJudged(count: number): void;
  /** More things that could not be checked: ERROR keys, regions and accounts in error (an increment). */
  errors(count: number): void;
}

/** Time and retry knobs, for tests that shrink time (the defaults suit AWS). */
export interface ScanTiming {
  retryBaseDelayMs?: number;
  retryThrottlingBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Clock for credential refresh decisions (ms since epoch). */
  clockMs?: () => number;
}

/**
 * A stage applied to every judged key before it is spooled (the exceptions register is one),
 * and what it adds to the results header's `extensions` once every key has passed through.
 */
export interface KeyStage {
  name: string;
  apply(key: KeyResult): KeyResult;
  /**
   * A resumed run: a key an earlier attempt already passed through `apply` (and spooled). Account
   * for it in `extension()` without changing it.
   */
  replay?(key: KeyResult): void;
  extension(): unknown;
}

export interface ScanDeps {
  /** Post-judgement stages, applied in order. */
  stages?: KeyStage[];
  logger: Logger;
  progress?: ScanProgress;
  /** Clock for the scan id, start/end and evaluatedAt. */
  now?: () => Date;
  /** Base credentials; default: the standard provider chain (env, profile, SSO, container, instance, web identity). */
  credentials?: () => Promise<AwsCredentials>;
  /** Explicit endpoint for every service (tests, demo); otherwise the SDK's AWS_ENDPOINT_URL* handling applies. */
  endpoint?: string;
  extraClientConfig?: ExtraClientConfig;
  timing?: ScanTiming;
  /** Accounts scanned at once (default: a quarter of `concurrency`, at least 4). */
  accountParallelism?: number;
}

export interface ScanOutcome {
  resultsPath: string;
  header: ResultsHeader;
  /**
   * Every in-scope account reached, every in-scope account × region scanned or not enabled, and
   * no key in ERROR (an ERROR key was not assessed either). false maps to exit status 2.
   */
  coverageComplete: boolean;
  counts: StatusCounts;
}
