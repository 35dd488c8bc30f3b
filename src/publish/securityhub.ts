/**
 * `--publish securityhub`: imports the run's findings into AWS Security Hub with BatchImportFindings
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html).
 *
 * Where: one region (`securityHubRegion`, default the scan's home region) of the scanning account,
 * which should be the organization's Security Hub administrator (delegated administrator): an
 * administrator may import findings for its member accounts, each finding keeps its own
 * AwsAccountId and Region (the key's), and ProductArn is the importing account's default product in
 * that region. With cross-Region aggregation the administrator's aggregation region is the natural
 * choice. (One region rather than each key's own: a single finding history per key, one set of
 * permissions, and no dependency on Security Hub being enabled in every region.)
 *
 * Lifecycle (from the previous run's results, `--previous`):
 * - every key of this run is imported with its current Compliance.Status; Security Hub keeps the
 *   workflow of an existing finding and itself moves it to RESOLVED when the status turns PASSED, so
 *   a fixed key ends PASSED/RESOLVED (asff.ts);
 * - a key of the previous run that is gone from an account-region this run scanned completely is
 *   imported once more with RecordState ARCHIVED. Keys of account-regions this run could not scan
 *   (error, skipped, or no longer in scope) are left as they are: not seeing a key is not proof it
 *   was deleted.
 * Batches of at most 100 (BatchImportFindingsRequestFindingList max), through the throttle module
 * (quota securityhub:BatchImportFindings). FailedFindings are retried (up to `retries` more rounds),
 * then reported by Id and ErrorCode. Access denied or Security Hub not enabled stops the publishing
 * with one clear error; it does not crash the run.
 */
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { CachedCredentials } from '../aws/credentials.js';
import { errorCode } from '../aws/errors.js';
import type { Throttle } from '../aws/throttle.js';
import type { FrameworkSelection } from '../frameworks/index.js';
import { openResults } from '../io/results-document.js';
import type { AwsErrorRecord, KeyResult } from '../core/results.js';
import { asffFinding, type AsffFinding } from '../report/exports/asff.js';

export const BATCH_SIZE = 100;
export { PUBLISH_FILE } from '../core/run-files.js';
const OPERATION = 'securityhub:BatchImportFindings';
/** Errors that mean "this account may not import here": stop, say so, do not retry. */
const ACCESS_ERRORS = new Set(['AccessDeniedException', 'InvalidAccessException', 'UnrecognizedClientException']);

export interface PublishSecurityHubOptions {
  resultsPath: string;
  previousResultsPath: string | null;
  frameworks: FrameworkSelection;
  region: string;
  throttle: Throttle;
  /** The scanner's own session (the throttle refreshes it; the client signs with its provider). */
  session: CachedCredentials;
  /** A ready SecurityHubClient factory (tests may inject; default: the SDK client with this region and credentials). */
  client?: SecurityHubClient;
  endpoint?: string;
  requestHandler?: unknown;
  /** Extra rounds for FailedFindings (default 2). */
  retries?: number;
  now?: () => Date;
}

export interface PublishSecurityHubOutcome {
  service: 'securityhub';
  region: string;
  productAccountId: string;
  /** Findings sent for this run's keys, and the previous run's keys archived. */
  active: number;
  archived: number;
  imported: number;
  requests: number;
  /** Findings still failing after the retries. */
  failed: { id: string; errorCode: string; errorMessage: string }[];
  /** Set when publishing stopped (access denied, not enabled, or an unexpected error). */
  error: AwsErrorRecord | null;
}

export async function publishToSecurityHub(opts: PublishSecurityHubOptions): Promise<PublishSecurityHubOutcome> {
  const reader = await openResults(opts.resultsPath);
  const header = reader.header;
  const productAccountId = header.callerIdentity?.account ?? header.managementAccountId;
  const outcome: PublishSecurityHubOutcome = { service: 'securityhub', region: opts.region, productAccountId: productAccountId ?? '', active: 0, archived: 0, imported: 0, requests: 0, failed: [], error: null };
  if (!productAccountId) {
    outcome.error = { code: 'NoCallerIdentity', operation: OPERATION, message: 'the results document names no caller account, so the product ARN is unknown' };
    return outcome;
  }
  const updatedAt = (opts.now?.() ?? new Date()).toISOString();
  const ctx = { header, frameworks: opts.frameworks.frameworks, productAccountId, productRegion: opts.region, updatedAt };
  const client =
    opts.client ??
    new SecurityHubClient({ region: opts.region, credentials: opts.session.provider, maxAttempts: 1, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.requestHandler ? { requestHandler: opts.requestHandler as never } : {}) });
  const sender = new BatchSender(client, opts.throttle, opts.session, productAccountId, opts.region, opts.retries ?? 2, outcome);
  try {
    const current = new Set<string>();
    for await (const key of reader.keys()) {
      current.add(key.keyArn);
      outcome.active++;
      if (!(await sender.add(asffFinding(key, ctx)))) return outcome;
    }
    if (opts.previousResultsPath) {
      // Account-regions this run saw completely: only there does "not listed" mean "gone".
      const complete = new Set(header.coverage.regions.filter((r) => r.status === 'scanned' || r.status === 'not_enabled').map((r) => `${r.accountId}|${r.region}`));
      const previous = await openResults(opts.previousResultsPath);
      for await (const key of previous.keys()) {
        if (current.has(key.keyArn) || !complete.has(`${key.accountId}|${key.region}`)) continue;
        outcome.archived++;
        if (!(await sender.add(archived(key, ctx)))) return outcome;
      }
    }
    await sender.flush();
    return outcome;
  } finally {
    if (!opts.client) client.destroy();
  }
}

function archived(key: KeyResult, ctx: Parameters<typeof asffFinding>[1]): AsffFinding {
  return { ...asffFinding(key, ctx), RecordState: 'ARCHIVED', Description: `The key is no longer listed in ${key.accountId} ${key.region} (deleted or out of scope); last status ${key.status}: ${key.reason}`.slice(0, 1024) };
}

class BatchSender {
  private batch: AsffFinding[] = [];

  constructor(
    private readonly client: SecurityHubClient,
    private readonly throttle: Throttle,
    private readonly session: CachedCredentials,
    private readonly accountId: string,
    private readonly region: string,
    private readonly retries: number,
    private readonly outcome: PublishSecurityHubOutcome,
  ) {}

  /** Queues a finding; false once publishing has stopped on an error. */
  async add(finding: AsffFinding): Promise<boolean> {
    if (this.outcome.error) return false;
    this.batch.push(finding);
    if (this.batch.length >= BATCH_SIZE) await this.flush();
    return this.outcome.error === null;
  }

  async flush(): Promise<void> {
    let pending = this.batch;
    this.batch = [];
    for (let round = 0; pending.length > 0 && !this.outcome.error; round++) {
      const failures = await this.send(pending);
      if (failures === null) return;
      const last = round >= this.retries;
      const byId = new Map(pending.map((f) => [f.Id, f]));
      pending = [];
      for (const f of failures) {
        const finding = byId.get(f.Id ?? '');
        // Input errors do not get better on a second try; everything else is retried.
        if (!last && finding && f.ErrorCode !== 'InvalidInput') pending.push(finding);
        else this.outcome.failed.push({ id: f.Id ?? '(no Id)', errorCode: f.ErrorCode ?? 'Unknown', errorMessage: f.ErrorMessage ?? '' });
      }
    }
  }

  /** One request (retried by the throttle on throttling/5xx); the failures it reports, or null once publishing stopped. */
  private async send(findings: AsffFinding[]): Promise<{ Id?: string; ErrorCode?: string; ErrorMessage?: string }[] | null> {
    try {
      this.outcome.requests++;
      const out = await this.throttle.call({ accountId: this.accountId, region: this.region, operation: OPERATION }, () =>
        this.client.send(new BatchImportFindingsCommand({ Findings: findings as AwsSecurityFinding[] })),
        { session: this.session },
      );
      this.outcome.imported += out.SuccessCount ?? 0;
      return out.FailedFindings ?? [];
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error).message ?? String(err);
      this.outcome.error = {
        code,
        operation: OPERATION,
        message: ACCESS_ERRORS.has(code)
          ? `Security Hub in ${this.region} refused the import for account ${this.accountId} (${message}): is Security Hub enabled there, and does the scanner role allow securityhub:BatchImportFindings?`
          : message,
      };
      return null;
    }
  }
}
