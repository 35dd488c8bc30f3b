/**
 * One account, the scan's unit of work: reach it (base credentials or AssumeRole), find its
 * regions, collect and judge each region, spool the keys, record coverage, release its clients and
 * limiters, and checkpoint it (--resume does not scan a checkpointed account again).
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CachedCredentials, type AwsCredentials } from '../aws/credentials.js';
import { AwsCallError, toErrorRecord } from '../aws/errors.js';
import { describeAccountRegions, planRegions, type AccountRegions } from '../aws/regions.js';
import type { CallOptions } from '../aws/throttle.js';
import { collectRegion, emptyTally, fetchTags, type KeyCallTally } from '../collect/kms.js';
import { judgeSafely, needsRotationStatusSafely } from '../rules/index.js';
import { Status, type AccountCoverage, type AwsErrorRecord, type KeyResult, type RegionCoverage } from '../results/types.js';
import type { ScanContext } from './context.js';
import type { SpoolBatch } from './spool.js';
import { toKeyResult } from './key-result.js';
import type { AccountTarget } from './scope.js';

export async function scanAccount(ctx: ScanContext, account: AccountTarget): Promise<void> {
  const coverage: AccountCoverage = {
    accountId: account.id,
    accountName: account.name,
    state: account.state,
    ouPath: account.ouPath,
    ouIds: account.ouIds,
    access: 'none',
    roleArn: null,
    status: 'scanned',
    error: null,
    reason: null,
  };
  ctx.tally.accounts.push(coverage);
  const log: AccountLog = { regions: [], keyCalls: emptyTally(), batches: [] };
  let keys = 0;
  let errors = 0;
  let completed = false;
  try {
    const credentials = await reach(ctx, account, coverage);
    if (!credentials) {
      errors++;
      completed = true;
      return;
    }
    const regions = await regionsOf(ctx, account, credentials, coverage);
    if (!regions) {
      errors++;
      completed = true;
      return;
    }
    for (const region of regions.notEnabled) {
      addRegion(ctx, log, regionCoverage(account.id, region, 'not_enabled', null, 'Opt-in region not enabled for this account (EC2 DescribeRegions): it can hold no keys.'));
    }
    const outcomes = await Promise.all(regions.scan.map((region) => scanRegion(ctx, account, credentials, region, log)));
    for (const outcome of outcomes) {
      keys += outcome.keys;
      errors += outcome.errors;
    }
    completed = true;
  } finally {
    ctx.throttle.releaseAccount(account.id);
    if (account.pathsKnown) {
      // Started before the OU tree was known: its coverage (and checkpoint) get the path now.
      await account.pathsKnown;
      coverage.ouIds = account.ouIds;
      coverage.ouPath = account.ouPath;
    }
    if (completed) await ctx.checkpoint?.accountDone({ accountId: account.id, coverage, ...log, apiCalls: ctx.throttle.stats().apiCalls });
    ctx.progress?.accountDone(account.id, { keys, errors, status: coverage.status === 'error' ? 'error' : 'scanned' });
  }
}

/** Credentials for the account, or null with the error recorded on its coverage. */
async function reach(ctx: ScanContext, account: AccountTarget, coverage: AccountCoverage): Promise<CachedCredentials | null> {
  if (account.id === ctx.callerAccountId) {
    coverage.access = 'base-credentials';
    return ctx.base;
  }
  const roleArn = ctx.roleArnFor(ctx.partition, account.id);
  coverage.roleArn = roleArn;
  const session = new CachedCredentials(() => assumeRole(ctx, roleArn), ctx.clockMs);
  try {
    await session.get();
    coverage.access = 'assumed-role';
    return session;
  } catch (err) {
    const error = toErrorRecord(err, 'sts:AssumeRole');
    fail(ctx, coverage, error, `Could not assume ${roleArn}: ${error.code}.`);
    return null;
  }
}

/** STS AssumeRole from the caller's account, in the home region (aws-facts.md "STS"), under the shared STS limiter. */
async function assumeRole(ctx: ScanContext, roleArn: string): Promise<AwsCredentials> {
  const { options } = ctx;
  try {
    const out = await ctx.throttle.call(
      { accountId: ctx.callerAccountId, region: options.homeRegion, operation: 'sts:AssumeRole', shared: true },
      () =>
        ctx.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: options.roleSessionName,
            DurationSeconds: options.sessionDurationSeconds,
            ...(options.externalId ? { ExternalId: options.externalId } : {}),
          }),
        ),
      { session: ctx.base },
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error('AssumeRole answered without credentials'), { name: 'IncompleteResponse' });
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (err) {
    // Named as the STS failure wherever it surfaces (a KMS call refreshing its session), and not retried again there.
    throw new AwsCallError(toErrorRecord(err, 'sts:AssumeRole'), { cause: err });
  }
}

async function regionsOf(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, coverage: AccountCoverage): Promise<ReturnType<typeof planRegions> | null> {
  const home = ctx.options.homeRegion;
  let regions: AccountRegions | null = null;
  const ec2 = await ctx.clients.ec2(home, credentials.provider);
  try {
    regions = await describeAccountRegions(ec2, (operation, send) => ctx.throttle.call({ accountId: account.id, region: home, operation }, send, { session: credentials }));
  } catch (err) {
    const error = toErrorRecord(err, 'ec2:DescribeRegions');
    const requested = ctx.options.regions;
    if (requested === null || requested === 'all') {
      fail(ctx, coverage, error, `Could not list the account's enabled regions: ${error.code}.`);
      return null;
    }
    // The regions were named: scan them anyway; a disabled one answers UnrecognizedClientException.
    coverage.error = error;
    coverage.reason = `Enabled regions unknown (${error.code}); scanned the requested regions.`;
    ctx.logger.warn({ accountId: account.id, code: error.code }, 'DescribeRegions failed; scanning the requested regions');
  } finally {
    ec2.destroy();
  }
  return planRegions(regions, ctx.options.regions);
}

/** What an account adds to the run, kept apart for its checkpoint record. */
interface AccountLog {
  regions: RegionCoverage[];
  keyCalls: KeyCallTally;
  batches: SpoolBatch[];
}

function addRegion(ctx: ScanContext, log: AccountLog, region: RegionCoverage): void {
  ctx.tally.regions.push(region);
  log.regions.push(region);
}

async function scanRegion(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, region: string, log: AccountLog): Promise<{ keys: number; errors: number }> {
  const client = ctx.clients.kms(region, credentials.provider);
  const call = <T>(operation: string, send: () => Promise<T>, options?: CallOptions): Promise<T> =>
    ctx.throttle.call({ accountId: account.id, region, operation }, send, { ...options, session: credentials });
  try {
    const collected = await collectRegion({
      partition: ctx.partition,
      accountId: account.id,
      region,
      client,
      call,
      needsRotationStatus: (metadata) => needsRotationStatusSafely(ctx.rule, metadata, ctx.policy),
      wantTags: (metadata) => ctx.options.collectTags === 'all' && metadata.keyManager === 'CUSTOMER',
      keyConcurrency: ctx.keyConcurrency,
    });
    if (collected.status === 'not_enabled') {
      addRegion(ctx, log, regionCoverage(account.id, region, 'not_enabled', collected.error, `Not enabled for this account (${collected.error.operation} answered ${collected.error.code}).`));
      return { keys: 0, errors: 0 };
    }
    if (collected.status === 'error') {
      addRegion(ctx, log, regionCoverage(account.id, region, 'error', collected.error, `Keys could not be listed: ${collected.error.operation} failed with ${collected.error.code}.`));
      ctx.progress?.errors(1);
      return { keys: 0, errors: 1 };
    }
    ctx.tally.addCalls(collected.tally);
    for (const k of ['eligibleKeys', 'eligibleCalls', 'otherKeys', 'otherCalls'] as const) log.keyCalls[k] += collected.tally[k];
    // Each key result names its account's OU path: wait for it if the scan started before the tree was known.
    if (account.pathsKnown) await account.pathsKnown;
    const evaluatedAt = ctx.now().toISOString();
    const judged: KeyResult[] = collected.keys.map((facts) => toKeyResult(account, region, facts, judgeSafely(ctx.rule, facts, ctx.policy), ctx.rule, evaluatedAt));
    if (ctx.options.collectTags === 'failing') {
      await Promise.all(
        judged
          .filter((key) => key.status === Status.Fail && key.tags === null)
          .map(async (key) => {
            key.tags = await fetchTags({ client, call }, key.keyId);
          }),
      );
    }
    const results = judged.map((key) => ctx.stages.reduce((staged, stage) => stage.apply(staged), key));
    const keyErrors = results.filter((key) => key.status === Status.Error).length;
    const batch = await ctx.spool.append(account.id, region, results);
    if (batch) log.batches.push(batch);
    ctx.tally.addKeys(results);
    const aliasesError = collected.aliasesError;
    addRegion(ctx, log, {
      ...regionCoverage(account.id, region, 'scanned', aliasesError, aliasesError ? `Aliases could not be listed (${aliasesError.code}); keys were judged without them.` : null),
      keyCount: results.length,
      keyErrors,
    });
    ctx.progress?.keysJudged(results.length);
    if (keyErrors > 0) ctx.progress?.errors(keyErrors);
    return { keys: results.length, errors: keyErrors };
  } finally {
    client.destroy();
  }
}

function fail(ctx: ScanContext, coverage: AccountCoverage, error: AwsErrorRecord, reason: string): void {
  coverage.status = 'error';
  coverage.error = error;
  coverage.reason = reason;
  ctx.progress?.errors(1);
  ctx.logger.warn({ accountId: coverage.accountId, operation: error.operation, code: error.code }, 'account not scanned');
}

function regionCoverage(accountId: string, region: string, status: RegionCoverage['status'], error: AwsErrorRecord | null, reason: string | null): RegionCoverage {
  return { accountId, region, status, error, reason, keyCount: null, keyErrors: 0 };
}
