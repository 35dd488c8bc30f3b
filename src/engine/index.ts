/**
 * runScan: the scan engine's entry point. Inventory → scope → per-account work (sessions, regions,
 * collection, judgement) → results.json assembled from the on-disk spool in report order.
 * Each finished account is checkpointed (checkpoint.ts), so `resume` continues an interrupted run;
 * a shard writes its partial document under its own name (src/core/run-files.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ClientFactory } from '../aws/clients.js';
import { baseCredentials, type CachedCredentials } from '../aws/credentials.js';
import { dataSourceOf } from '../aws/endpoints.js';
import { AwsCallError, classifyError, isRetryable, toErrorRecord } from '../aws/errors.js';
import { SharedHttpHandler } from '../aws/http.js';
import { listInventory, type Inventory } from '../aws/organizations.js';
import { roleArnResolver, type RoleArnFor } from '../core/role-arn.js';
import { Throttle } from '../aws/throttle.js';
import { IncompleteError, UsageError } from '../core/errors.js';
import { openResults, writeResultsDocument } from '../io/results-document.js';
import type { AccountCoverage, ResultsHeader } from '../core/results.js';
import { kms002 } from '../rules/index.js';
import { runFileNames, type RunFileNames } from '../core/run-files.js';
import { noOrganizationsWithoutAccounts } from '../core/sources.js';
import { scanAccount } from './account.js';
import { CheckpointJournal, type CheckpointState } from './checkpoint.js';
import type { ScanContext } from './context.js';
import { buildHeader } from './header.js';
import type { ScanOptions } from './options.js';
import { findResumePoint, resumeScope } from './resume.js';
import { newScanId } from './scan-id.js';
import { AccountSelector, idSelector, selectAccounts, toTarget, type AccountTarget } from './scope.js';
import { WorkQueue } from '../core/pool.js';
import { KeySpool } from './spool.js';
import { ScanTally } from './tally.js';
import type { ScanDeps, ScanOutcome } from './types.js';

export type { Logger, ScanDeps, ScanOutcome, ScanProgress, ScanTiming } from './types.js';
export type { ScanOptions } from './options.js';

export async function runScan(options: ScanOptions, deps: ScanDeps): Promise<ScanOutcome> {
  validateOptions(options);
  // The role ARN template is checked before any AWS call (an unknown placeholder is a usage error).
  const roleArnFor = roleArnResolver(options);
  const files = runFileNames(options.shard);
  const point = options.resume ? await findResumePoint(options, files) : null;
  if (point?.kind === 'finished') {
    deps.logger.info({ results: point.resultsPath }, 'resume: the scan had finished and written its results; only what follows remains');
    return finishedOutcome(point.resultsPath);
  }
  const run = await openRun(options, deps, files, point);
  let finished = false;
  try {
    const identity = await callerIdentity(run.throttle, run.sts, options.homeRegion, run.base);
    deps.logger.info({ scanId: run.scanId, account: identity.account, arn: identity.arn }, 'scan started');
    const ctx = scanContext(options, deps, run, identity, roleArnFor);
    const done = run.resumed ? await restoreFinishedAccounts(run.resumed, run.spool, ctx) : new Set<string>();
    if (run.resumed) deps.logger.info({ scanId: run.scanId, accounts: done.size, attempt: run.resumed.attempts + 1 }, 'resuming: accounts finished by earlier attempts are not scanned again');
    const inventory = await scanAccounts(ctx, run, identity.account, done);
    const outcome = await writeOutcome(ctx, run, identity, inventory, done.size);
    finished = true;
    return outcome;
  } finally {
    await closeRun(run, finished);
  }
}

/** What one run holds open: the throttle, HTTP agents and clients, the base session, the spool and checkpoint. */
interface OpenRun {
  files: RunFileNames;
  scanId: string;
  startedAt: Date;
  resumed: CheckpointState | null;
  throttle: Throttle;
  http: SharedHttpHandler;
  clients: ClientFactory;
  base: CachedCredentials;
  sts: ReturnType<ClientFactory['sts']>;
  organizations: ReturnType<ClientFactory['organizations']> | null;
  spool: KeySpool;
  checkpoint: CheckpointJournal;
}

async function openRun(options: ScanOptions, deps: ScanDeps, files: RunFileNames, point: Awaited<ReturnType<typeof findResumePoint>> | null): Promise<OpenRun> {
  const timing = deps.timing ?? {};
  const now = deps.now ?? (() => new Date());
  const resumed = point?.kind === 'checkpoint' ? point.state : null;
  const startedAt = resumed ? new Date(resumed.run.startedAt) : now();
  const scanId = resumed?.run.scanId ?? options.scanId ?? newScanId(startedAt);
  const throttle = new Throttle({
    concurrency: options.concurrency,
    quotaSafety: options.quotaSafety,
    quotaOverrides: options.quotaOverrides,
    maxAttempts: options.maxAttempts,
    sharedQuotaShare: options.shard ? 1 / options.shard.count : 1,
    baseDelayMs: timing.retryBaseDelayMs,
    throttlingBaseDelayMs: timing.retryThrottlingBaseDelayMs,
    maxDelayMs: timing.retryMaxDelayMs,
    sleep: timing.sleep,
    random: timing.random,
  });
  const http = new SharedHttpHandler({ maxSockets: options.concurrency, connectionTimeoutMs: timing.connectionTimeoutMs, requestTimeoutMs: timing.requestTimeoutMs });
  const clients = new ClientFactory({ httpHandler: http, endpoint: deps.endpoint, extraClientConfig: deps.extraClientConfig });
  const base = baseCredentials(deps.credentials, timing.clockMs ?? Date.now);
  await mkdir(options.outDir, { recursive: true });
  const spool = point?.kind === 'checkpoint' ? await KeySpool.reopen(point.spoolPath, [...point.state.accounts.values()].flatMap((record) => record.batches)) : await KeySpool.create(join(options.outDir, files.spool));
  const checkpoint =
    point?.kind === 'checkpoint'
      ? await CheckpointJournal.resume(point.checkpointPath, point.validBytes, now(), () => spool.sync())
      : await CheckpointJournal.create(join(options.outDir, files.checkpoint), { scanId, startedAt: startedAt.toISOString(), shard: options.shard, scope: resumeScope(options) }, () => spool.sync());
  return {
    files, scanId, startedAt, resumed, throttle, http, clients, base, spool, checkpoint,
    sts: clients.sts(options.homeRegion, base.provider),
    organizations: options.useOrganizations ? clients.organizations(options.homeRegion, base.provider) : null,
  };
}

/** An interrupted run keeps its spool and checkpoint for --resume (unless it checkpointed nothing). */
async function closeRun(run: OpenRun, finished: boolean): Promise<void> {
  if (finished || (!run.resumed && run.checkpoint.accountsWritten === 0)) {
    await run.checkpoint.remove();
    await run.spool.remove();
  } else {
    await run.checkpoint.close();
    await run.spool.close();
  }
  run.sts.destroy();
  run.organizations?.destroy();
  run.throttle.close();
  run.http.close();
}

function scanContext(options: ScanOptions, deps: ScanDeps, run: OpenRun, identity: { account: string; arn: string }, roleArnFor: RoleArnFor): ScanContext {
  return {
    options,
    partition: identity.arn.split(':')[1] || 'aws',
    callerAccountId: identity.account,
    throttle: run.throttle,
    clients: run.clients,
    base: run.base,
    sts: run.sts,
    roleArnFor,
    rule: kms002,
    policy: { maxRotationDays: options.maxRotationDays, evaluateDisabled: options.evaluateDisabled },
    spool: run.spool,
    tally: new ScanTally(),
    logger: deps.logger,
    progress: deps.progress,
    now: deps.now ?? (() => new Date()),
    clockMs: deps.timing?.clockMs ?? Date.now,
    keyConcurrency: Math.max(4, Math.ceil(options.concurrency / 4)),
    stages: deps.stages ?? [],
    checkpoint: run.checkpoint,
    endpoints: () => run.http.origins(),
    accountParallelism: deps.accountParallelism,
  };
}

/** What listing the organization found besides the accounts scanned. */
interface InventoryOutcome {
  inventory: Inventory | null;
  inScope: number;
  skipped: number;
  unknown: string[];
}

/**
 * Accounts are scanned as the inventory finds them: workers pull from the queue while ListAccounts
 * is still paging. Resolves once every account in scope is scanned.
 */
async function scanAccounts(ctx: ScanContext, run: OpenRun, callerAccount: string, done: ReadonlySet<string>): Promise<InventoryOutcome> {
  const { options } = ctx;
  const queue = new WorkQueue<AccountTarget>();
  // A quarter of `concurrency` accounts at once, at most 32 (an account keeps several requests in
  // flight: one per region and key), and a new one starts only while fewer than `concurrency`
  // requests queue for a slot. Measured with `npm run bench -- --sizes M --concurrency 256`
  // (2-core machine, load ~2): 32 accounts at once made 1,369 calls/s at 0.80 ms CPU/call and
  // 326 MB peak RSS, against 1,206 calls/s, 0.90 ms and 393 MB with 64 (issue 15).
  const workers = queue.drain(
    ctx.accountParallelism ?? Math.max(4, Math.ceil(Math.min(options.concurrency, 128) / 4)),
    (account) => scanAccount(ctx, account),
    () => ctx.throttle.whenBacklogBelow(options.concurrency),
  );
  workers.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  let inScope = 0;
  const admit = (all: AccountTarget[]): void => {
    const targets = done.size > 0 ? all.filter((target) => !done.has(target.id)) : all;
    if (targets.length === 0) return;
    inScope += targets.length;
    ctx.progress?.accountsTotal(inScope);
    for (const target of targets) queue.push(target);
  };
  let listed: Omit<InventoryOutcome, 'inScope'>;
  try {
    listed = run.organizations ? await listOrganization(ctx, run.organizations, callerAccount, done, admit) : (admit(selectAccounts(null, options).scan), { inventory: null, skipped: 0, unknown: [] });
  } catch (err) {
    queue.close(true);
    await workers;
    const error = toErrorRecord(err, 'organizations');
    throw new IncompleteError(
      `cannot list the organization's accounts: ${error.operation} failed with ${error.code} (${error.message}); run from the management account or a delegated administrator, or pass --no-organizations with --accounts`,
    );
  }
  queue.close();
  const { inventory, skipped, unknown } = listed;
  if (inScope === 0 && skipped === 0 && unknown.length === 0 && done.size === 0 && options.shard === null) {
    // An empty scope is never a complete, passing audit (a shard may own no account; a whole run may not).
    await workers;
    throw new UsageError(`no account in scope: ${describeFilters(options)} match${inventory ? `es no account of organization ${inventory.organizationId ?? ''}`.trimEnd() : 'es no account'}; check the ids (an OU id that is not in the organization matches nothing)`);
  }
  for (const accountId of unknown) {
    const message = `Account ${accountId} is not in organization ${inventory?.organizationId ?? ''}`.trim();
    ctx.tally.accounts.push({ accountId, accountName: null, state: null, ouPath: null, ouIds: [], access: 'none', roleArn: null, status: 'error', error: { code: 'AccountNotInOrganization', message, operation: 'organizations:ListAccounts' }, reason: 'Not in the organization.' });
  }
  ctx.logger.info({ accounts: inScope, skipped, unknown: unknown.length }, 'accounts in scope');
  if (unknown.length > 0) ctx.progress?.errors(unknown.length);
  await workers;
  return { inventory, inScope, skipped, unknown };
}

/** The organization's accounts, admitted page by page; skipped ones (by state) recorded in coverage. */
async function listOrganization(ctx: ScanContext, organizations: NonNullable<OpenRun['organizations']>, callerAccount: string, done: ReadonlySet<string>, admit: (targets: AccountTarget[]) => void): Promise<Omit<InventoryOutcome, 'inScope'>> {
  const { options, throttle, base } = ctx;
  const selector = new AccountSelector(options);
  let skipped = 0;
  const inventory = await listInventory(
    organizations,
    (operation, send) =>
      throttle.call({ accountId: callerAccount, region: options.homeRegion, operation, shared: true }, send, { session: base }).catch((err: unknown) => {
        throw new AwsCallError(toErrorRecord(err, operation), { cause: err });
      }),
    options.ous === null ? idSelector(options) : () => true,
    (accounts) => {
      const targets: AccountTarget[] = [];
      for (const account of accounts) {
        const verdict = selector.classify(account);
        if (done.has(account.id)) continue; // its coverage comes from the checkpoint
        if (verdict === 'scan') targets.push(toTarget(account));
        if (verdict === 'skip') {
          skipped++;
          ctx.tally.accounts.push(skippedCoverage(account));
        }
      }
      admit(targets);
    },
    // Without an OU filter, accounts start as their ListAccounts page arrives (issue 15).
    options.ous === null,
  );
  return { inventory, skipped, unknown: selector.unknown() };
}

function skippedCoverage(account: Parameters<typeof toTarget>[0]): AccountCoverage {
  const coverage: AccountCoverage = { accountId: account.id, accountName: account.name, state: account.state, ouPath: account.ouPath, ouIds: account.ouIds, access: 'none', roleArn: null, status: 'skipped', error: null, reason: `Account state ${account.state ?? 'unknown'}: only ACTIVE accounts are scanned.` };
  // listInventory resolves only once every path is known, before the header is built.
  void account.pathsKnown?.then(() => {
    coverage.ouPath = account.ouPath;
    coverage.ouIds = account.ouIds;
  });
  return coverage;
}

/** The header from what the run learned, and the results document assembled from the spool in report order. */
async function writeOutcome(ctx: ScanContext, run: OpenRun, identity: { account: string; arn: string }, listed: InventoryOutcome, fromCheckpoint: number): Promise<ScanOutcome> {
  const { tally, options } = ctx;
  const gaps = tally.gaps();
  const coverageComplete = gaps.accounts === 0 && gaps.regions === 0 && gaps.errorKeys === 0;
  const stats = run.throttle.stats();
  const header = buildHeader({
    scanId: run.scanId,
    startedAt: run.startedAt,
    finishedAt: ctx.now(),
    options,
    partition: ctx.partition,
    callerIdentity: identity,
    organizationId: listed.inventory?.organizationId ?? null,
    managementAccountId: listed.inventory?.managementAccountId ?? null,
    tally,
    throttle: { ...stats, apiCalls: addCounts(run.resumed?.apiCalls ?? {}, stats.apiCalls) },
    coverageComplete,
    // Earlier attempts' endpoints (a checkpoint written before they were recorded adds none).
    dataSource: dataSourceOf([...(run.resumed?.endpoints ?? []), ...run.http.origins()]),
  });
  for (const stage of ctx.stages) header.extensions[stage.name] = stage.extension();
  if (run.resumed) header.extensions.resume = { attempts: run.resumed.attempts + 1, accountsFromCheckpoint: fromCheckpoint };
  const resultsPath = join(options.outDir, run.files.results);
  await writeResultsDocument(resultsPath, header, run.spool.read());
  ctx.logger.info({ scanId: run.scanId, keys: header.summary.keys, byStatus: header.summary.byStatus, coverageComplete, gaps }, 'scan finished');
  return { resultsPath, header, coverageComplete, counts: { ...tally.counts } };
}

/**
 * Puts what earlier attempts learned into this one: each finished account's coverage and call
 * tallies, and its keys once through the counts and the stages (the keys stay in the spool).
 */
async function restoreFinishedAccounts(state: CheckpointState, spool: KeySpool, ctx: ScanContext): Promise<Set<string>> {
  const records = [...state.accounts.values()];
  for (const record of records) {
    ctx.tally.accounts.push(record.coverage);
    ctx.tally.regions.push(...record.regions);
    ctx.tally.addCalls(record.keyCalls);
  }
  for await (const key of spool.readBatches(records.flatMap((record) => record.batches))) {
    ctx.tally.counts[key.status]++;
    for (const stage of ctx.stages) stage.replay?.(key);
  }
  return new Set(state.accounts.keys());
}

/** The outcome of a run whose results document was already written (resumed after the scan had finished). */
async function finishedOutcome(resultsPath: string): Promise<ScanOutcome> {
  const header: ResultsHeader = (await openResults(resultsPath)).header;
  const scan = header.extensions.scan as { coverageComplete?: boolean } | undefined;
  return { resultsPath, header, coverageComplete: scan?.coverageComplete === true, counts: { ...header.summary.byStatus } };
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + n;
  return Object.fromEntries(Object.entries(sum).sort(([x], [y]) => (x < y ? -1 : 1)));
}

async function callerIdentity(throttle: Throttle, sts: ReturnType<ClientFactory['sts']>, home: string, base: CachedCredentials): Promise<{ account: string; arn: string }> {
  try {
    const out = await throttle.call({ accountId: 'caller', region: home, operation: 'sts:GetCallerIdentity', shared: true }, () => sts.send(new GetCallerIdentityCommand({})), { session: base });
    if (!out.Account || !out.Arn) throw Object.assign(new Error('GetCallerIdentity answered without Account or Arn'), { name: 'IncompleteResponse' });
    return { account: out.Account, arn: out.Arn };
  } catch (err) {
    const error = toErrorRecord(err, 'sts:GetCallerIdentity');
    // Unreachable or failing AWS is not the user's input: nothing was assessed (exit 2), not a usage error.
    if (isRetryable(classifyError(err))) {
      throw new IncompleteError(`AWS not reachable: ${error.operation} failed with ${error.code} (${error.message}); nothing was scanned`);
    }
    throw new UsageError(`AWS credentials: ${error.operation} failed with ${error.code} (${error.message})`);
  }
}

function validateOptions(options: ScanOptions): void {
  // An assertion for options built in code: a configuration is refused first (src/config/load.ts), naming its source.
  if (!options.useOrganizations && (options.accounts === null || options.accounts.length === 0)) throw noOrganizationsWithoutAccounts();
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new UsageError(`--concurrency: expected a positive integer, got ${options.concurrency}`);
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) throw new UsageError(`--max-attempts: expected a positive integer, got ${options.maxAttempts}`);
  if (!(options.quotaSafety > 0 && options.quotaSafety <= 1)) throw new UsageError(`--quota-safety: expected a fraction in (0, 1], got ${options.quotaSafety}`);
  if (!options.homeRegion) throw new UsageError('--home-region: expected a region name such as us-east-1');
  if (options.shard && !(Number.isInteger(options.shard.index) && options.shard.index >= 0 && options.shard.index < options.shard.count)) {
    throw new UsageError(`--shard: expected K/N with 0 <= K < N, got ${options.shard.index}/${options.shard.count}`);
  }
}

/** The account filters of a run, named by where each came from (flag, variable, file:line), for the empty-scope message. */
function describeFilters(options: Pick<ScanOptions, 'accounts' | 'excludeAccounts' | 'ous' | 'sourceOf'>): string {
  const from = (key: 'accounts' | 'excludeAccounts' | 'ous', flag: string): string => options.sourceOf?.(key) ?? flag;
  const parts = [
    options.accounts ? `${from('accounts', '--accounts')} ${options.accounts.join(',')}` : null,
    options.excludeAccounts.length > 0 ? `${from('excludeAccounts', '--exclude-accounts')} ${options.excludeAccounts.join(',')}` : null,
    options.ous ? `${from('ous', '--ous')} ${options.ous.join(',')}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' ') : 'the organization\'s accounts (no filters)';
}
