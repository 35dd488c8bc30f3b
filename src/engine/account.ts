/**
 * One account, the scan's unit of work: reach it (base credentials or AssumeRole), find its
 * regions, collect and judge each region, spool the keys, record coverage, release its clients and
 * limiters, and checkpoint it (--resume does not scan a checkpointed account again).
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CachedCredentials, type AwsCredentials } from '../aws/credentials.js';
import { AwsCallError, toErrorRecord } from '../aws/errors.js';
import { isEnabledByDefault, partitionRegions } from '../core/partition-regions.js';
import { describeAccountRegions, planRegions, type AccountRegions, type RegionPlan } from '../aws/regions.js';
import type { CallOptions } from '../aws/throttle.js';
import { collectKeyByArn, collectRegion, emptyTally, fetchTags, type KeyCallTally, type RegionTarget } from '../collect/kms.js';
import { judgeSafely, needsRotationStatusSafely } from '../rules/index.js';
import { DEFAULT_ROTATION_PERIOD_DAYS } from '../rules/kms-002/period.js';
import { Status, type AccountCoverage, type AwsErrorRecord, type KeyResult, type RegionCoverage } from '../core/results.js';
import type { ScanContext } from './context.js';
import type { SpoolBatch } from './spool.js';
import { toKeyResult } from './key-result.js';
import { arnRegion, markReplicas, resolveMultiRegion, type JudgedKey } from './multi-region.js';
import type { AccountTarget } from './scope.js';

export async function scanAccount(ctx: ScanContext, account: AccountTarget): Promise<void> {
  const coverage = accountCoverage(account);
  ctx.tally.accounts.push(coverage);
  const log: AccountLog = { regions: [], keyCalls: emptyTally(), batches: [] };
  const counts: AccountCounts = { keys: 0, errors: 0 };
  let completed = false;
  try {
    await reachAndScan(ctx, account, coverage, log, counts);
    completed = true;
  } finally {
    await finishAccount(ctx, account, { coverage, log, counts, completed });
  }
}

/** Keys spooled and errors recorded for one account (its progress line). */
interface AccountCounts {
  keys: number;
  errors: number;
}

function accountCoverage(account: AccountTarget): AccountCoverage {
  return {
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
}

/** Reach the account, find its regions, then collect, judge and spool them; an account it cannot reach or list is one error. */
async function reachAndScan(ctx: ScanContext, account: AccountTarget, coverage: AccountCoverage, log: AccountLog, counts: AccountCounts): Promise<void> {
  const credentials = await reach(ctx, account, coverage);
  if (!credentials) {
    counts.errors++;
    return;
  }
  const regions = await regionsOf(ctx, account, credentials, coverage);
  if (!regions) {
    counts.errors++;
    return;
  }
  for (const region of regions.notEnabled) {
    // "The act of disabling a Region will remove all IAM access to any resources that reside in that
    // Region" (https://docs.aws.amazon.com/accounts/latest/reference/API_DisableRegion.html): keys may remain.
    addRegion(ctx, log, regionCoverage(account.id, region, 'not_enabled', null, 'Opt-in region not enabled for this account (EC2 DescribeRegions): not accessible to the scan. Keys created there while it was enabled still exist, but disabling a region removes all IAM access to them until it is enabled again.'));
  }
  // Every region collected and judged first; multi-Region sets are resolved across them (and
  // primaries outside the scan's regions read); then each region's keys are spooled once.
  const collected = await Promise.all(regions.scan.map((region) => collectAndJudgeRegion(ctx, account, credentials, region, regions.listed, log)));
  const judged = collected.flatMap((outcome) => outcome.keys);
  const extra = await resolveMultiRegion(judged, { accountId: account.id, readByArn: (arn) => readKeyByArn(ctx, account, credentials, arn, log) });
  const keys = [...judged, ...extra];
  // The stages (exceptions) on every key of the account before any is spooled, so each replica can
  // carry the status its primary is reported with (markReplicas).
  for (const key of keys) key.result = ctx.stages.reduce((staged, stage) => stage.apply(staged), key.result);
  markReplicas(keys);
  await spoolAccount(ctx, account, collected, keys, { log, counts });
}

/** Each scanned region's keys spooled with its coverage row; then the primaries read outside the scan's regions. */
async function spoolAccount(ctx: ScanContext, account: AccountTarget, collected: readonly RegionOutcome[], keys: readonly JudgedKey[], into: { log: AccountLog; counts: AccountCounts }): Promise<void> {
  const { log, counts } = into;
  const byRegion = new Map<string, JudgedKey[]>();
  for (const key of keys) {
    const list = byRegion.get(key.region) ?? [];
    list.push(key);
    byRegion.set(key.region, list);
  }
  for (const outcome of collected) {
    if (outcome.coverage === null) continue;
    const results = await spoolRegion(ctx, account, outcome.region, byRegion.get(outcome.region) ?? [], log);
    byRegion.delete(outcome.region);
    const keyErrors = results.filter((key) => key.status === Status.Error).length;
    addRegion(ctx, log, { ...outcome.coverage, keyCount: outcome.coverage.keyCount ?? results.length, keyErrors });
    counts.keys += results.length;
    counts.errors += keyErrors + (outcome.coverage.status === 'error' ? 1 : 0);
  }
  // Primaries read outside the scan's regions: rows in their own region (no coverage row: not in scope).
  for (const [region, list] of byRegion) {
    const results = await spoolRegion(ctx, account, region, list, log);
    counts.keys += results.length;
    counts.errors += results.filter((key) => key.status === Status.Error).length;
  }
}

/** Whatever happened: release the account's clients and limiters, complete its OU path, checkpoint it if it completed, report progress. */
async function finishAccount(ctx: ScanContext, account: AccountTarget, done: { coverage: AccountCoverage; log: AccountLog; counts: AccountCounts; completed: boolean }): Promise<void> {
  const { coverage, log, counts } = done;
  ctx.throttle.releaseAccount(account.id);
  if (account.pathsKnown) {
    // Started before the OU tree was known: its coverage (and checkpoint) get the path now.
    await account.pathsKnown;
    coverage.ouIds = account.ouIds;
    coverage.ouPath = account.ouPath;
  }
  if (done.completed) await ctx.checkpoint?.accountDone({ accountId: account.id, coverage, ...log, apiCalls: ctx.throttle.stats().apiCalls, endpoints: ctx.endpoints?.() ?? [] });
  ctx.progress?.accountDone(account.id, { keys: counts.keys, errors: counts.errors, status: coverage.status === 'error' ? 'error' : 'scanned' });
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

/** STS AssumeRole from the caller's account, in the home region (STS regional endpoints: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html), under the shared STS limiter. */
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

/** The regions to scan, and which of them the account's own DescribeRegions lists as enabled (null: not read). */
type AccountRegionPlan = RegionPlan & { listed: ListedRegions };

/** What the account's own DescribeRegions said (null sets: it could not be read). */
interface ListedRegions {
  enabled: ReadonlySet<string> | null;
  all: ReadonlySet<string> | null;
}

async function regionsOf(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, coverage: AccountCoverage): Promise<AccountRegionPlan | null> {
  const home = ctx.options.homeRegion;
  // Regions named explicitly that every account has enabled (src/core/partition-regions.ts) need no
  // DescribeRegions, and the EC2 client (about 95 MB of RSS and 0.4 s to load, for this one call) is
  // then never loaded. A refusal there is a coverage error (collectAndJudgeRegion), never "not enabled".
  const requested = ctx.options.regions;
  if (Array.isArray(requested) && requested.every(isEnabledByDefault)) return { scan: [...new Set(requested)].sort(), notEnabled: [], listed: { enabled: null, all: null } };
  let regions: AccountRegions | null = null;
  const ec2 = await ctx.clients.ec2(home, credentials.provider);
  try {
    regions = await describeAccountRegions(ec2, (operation, send) => ctx.throttle.call({ accountId: account.id, region: home, operation }, send, { session: credentials }));
  } catch (err) {
    const error = toErrorRecord(err, 'ec2:DescribeRegions');
    if (requested === null || requested === 'all') {
      // The account's own list is denied, but KMS may answer there: scan every region the caller's
      // own DescribeRegions (AllRegions) knows, else every region of the partition this version
      // knows (src/core/partition-regions.ts); each region's outcome is recorded (collectAndJudgeRegion).
      const known = await callerRegions(ctx);
      const all = known ? [...new Set([...known.enabled, ...known.disabled])].sort() : partitionRegions(ctx.partition);
      if (all === null) {
        fail(ctx, coverage, error, `Could not list the account's enabled regions: ${error.code}; the caller's own region list could not be read either, and partition ${ctx.partition} is not one this version knows.`);
        return null;
      }
      coverage.error = error;
      coverage.reason = known
        ? `Region list inferred: ${error.operation} failed with ${error.code} in this account; scanned the ${all.length} regions the caller's own DescribeRegions lists, each region's outcome recorded.`
        : `Region list inferred: ${error.operation} failed with ${error.code} in this account and for the caller; scanned the ${all.length} regions of partition ${ctx.partition} this version knows, each region's outcome recorded (a region AWS added since is not among them).`;
      ctx.logger.warn({ accountId: account.id, code: error.code }, known ? 'DescribeRegions failed; scanning the regions the caller knows' : "DescribeRegions failed here and for the caller; scanning the partition's regions");
      return { scan: all, notEnabled: [], listed: { enabled: null, all: null } };
    }
    // The regions were named: scan them anyway; a disabled one answers UnrecognizedClientException.
    coverage.error = error;
    coverage.reason = `Enabled regions unknown (${error.code}); scanned the requested regions.`;
    ctx.logger.warn({ accountId: account.id, code: error.code }, 'DescribeRegions failed; scanning the requested regions');
  } finally {
    ec2.destroy();
  }
  return { ...planRegions(regions, ctx.options.regions), listed: { enabled: regions ? new Set(regions.enabled) : null, all: regions ? new Set([...regions.enabled, ...regions.disabled]) : null } };
}

/** The caller's own DescribeRegions (AllRegions), read once per run with the base credentials; null when it fails too. */
function callerRegions(ctx: ScanContext): Promise<AccountRegions | null> {
  ctx.callerRegions ??= (async () => {
    const home = ctx.options.homeRegion;
    const ec2 = await ctx.clients.ec2(home, ctx.base.provider);
    try {
      return await describeAccountRegions(ec2, (operation, send) => ctx.throttle.call({ accountId: ctx.callerAccountId, region: home, operation }, send, { session: ctx.base }));
    } catch (err) {
      ctx.logger.warn({ code: toErrorRecord(err, 'ec2:DescribeRegions').code }, "the caller's own DescribeRegions failed");
      return null;
    } finally {
      ec2.destroy();
    }
  })();
  return ctx.callerRegions;
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

interface RegionOutcome {
  region: string;
  keys: JudgedKey[];
  /** The region's coverage record (keyCount/keyErrors completed when spooled); null when it holds no keys to spool and was recorded already. */
  coverage: RegionCoverage | null;
}

function regionTarget(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, region: string): RegionTarget {
  const client = ctx.clients.kms(region, credentials.provider);
  const call = <T>(operation: string, send: () => Promise<T>, options?: CallOptions): Promise<T> =>
    ctx.throttle.call({ accountId: account.id, region, operation }, send, { ...options, session: credentials });
  return {
    partition: ctx.partition,
    accountId: account.id,
    region,
    client,
    call,
    needsRotationStatus: (metadata) => needsRotationStatusSafely(ctx.rule, metadata, ctx.policy),
    // A replica is judged through its primary but is a key of its own, with its own tags and owner.
    wantTags: (metadata) => ctx.options.collectTags === 'all' && (needsRotationStatusSafely(ctx.rule, metadata, ctx.policy) || (metadata.keyManager === 'CUSTOMER' && metadata.multiRegionType === 'REPLICA')),
    keyConcurrency: ctx.keyConcurrency,
    defaultPeriodDays: DEFAULT_ROTATION_PERIOD_DAYS,
  };
}

/** Tags of FAIL keys under --collect-tags failing; a failure is an evidence gap on the row, never a status. */
async function tagFailing(ctx: ScanContext, target: RegionTarget, keys: JudgedKey[]): Promise<void> {
  if (ctx.options.collectTags !== 'failing') return;
  await Promise.all(
    keys
      .filter((key) => key.result.status === Status.Fail && key.result.tags === null)
      .map(async (key) => {
        const inferences: string[] = [];
        const { tags, error } = await fetchTags(target, key.result.keyArn.includes(':key/') ? key.result.keyId : key.result.keyArn, undefined, inferences);
        key.result.tags = tags;
        if (inferences.length > 0) key.result.inferences = [...(key.result.inferences ?? []), ...inferences];
        if (error) (key.result.evidenceGaps ??= []).push({ evidence: 'tags', error });
      }),
  );
}

/**
 * Why a region's "credentials not recognised" answer cannot mean "not enabled", or null when it can:
 * only an opt-in region that the account's DescribeRegions could not confirm as enabled may be one
 * the account has not enabled (regions enabled by default cannot be disabled: src/core/partition-regions.ts).
 */
function refusedCredentials(region: string, listed: ListedRegions): string | null {
  if (listed.enabled?.has(region)) return "this account's DescribeRegions lists as enabled";
  if (isEnabledByDefault(region)) return 'enabled by default in every account (it cannot be disabled)';
  if (listed.all && !listed.all.has(region)) return "this account's DescribeRegions does not list";
  return null;
}

const STS_TOKEN_HINT =
  "A common cause: session tokens from the global STS endpoint (version 1 tokens) are valid only in regions enabled by default; have STS issue version 2 tokens (aws sts set-security-token-service-preferences --global-endpoint-token-version v2Token, in the account whose STS issues the session) or use a regional STS endpoint.";

async function collectAndJudgeRegion(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, region: string, listed: ListedRegions, log: AccountLog): Promise<RegionOutcome> {
  const target = regionTarget(ctx, account, credentials, region);
  try {
    const collected = await collectRegion(target);
    if (collected.status === 'not_enabled') {
      const { error } = collected;
      const refused = refusedCredentials(region, listed);
      if (refused) {
        // Not the documented "not enabled" answer here: the credentials were refused. A coverage error.
        addRegion(ctx, log, regionCoverage(account.id, region, 'error', error, `${error.operation} answered ${error.code} in a region ${refused}: keys there could not be listed. ${STS_TOKEN_HINT}`));
        ctx.progress?.errors(1);
        return { region, keys: [], coverage: null };
      }
      addRegion(ctx, log, regionCoverage(account.id, region, 'not_enabled', error, `Not enabled for this account, inferred: ${error.operation} answered ${error.code} (the account's DescribeRegions could not be read; an opt-in region not enabled answers so).`));
      return { region, keys: [], coverage: null };
    }
    if (collected.status === 'error') {
      addRegion(ctx, log, regionCoverage(account.id, region, 'error', collected.error, `Keys could not be listed: ${collected.error.operation} failed with ${collected.error.code}.`));
      ctx.progress?.errors(1);
      return { region, keys: [], coverage: null };
    }
    ctx.tally.addCalls(collected.tally);
    addKeyCalls(log, collected.tally);
    // Each key result names its account's OU path: wait for it if the scan started before the tree was known.
    if (account.pathsKnown) await account.pathsKnown;
    const evaluatedAt = ctx.now().toISOString();
    const keys: JudgedKey[] = collected.keys.map((facts) => {
      const judgement = judgeSafely(ctx.rule, facts, ctx.policy);
      return { region, facts, judgement, result: toKeyResult(account, region, facts, judgement, ctx.rule, evaluatedAt) };
    });
    await tagFailing(ctx, target, keys);
    const notes: string[] = [...collected.inferences];
    const aliasesError = collected.aliasesError;
    if (aliasesError) notes.push(`Aliases could not be listed (${aliasesError.code}); keys were judged without them.`);
    let coverage = regionCoverage(account.id, region, 'scanned', aliasesError, null);
    if (collected.entriesWithoutKeyId > 0) {
      const error: AwsErrorRecord = { code: 'IncompleteResponse', message: `ListKeys answered ${collected.entriesWithoutKeyId} entries without a KeyId.`, operation: 'kms:ListKeys' };
      coverage = regionCoverage(account.id, region, 'error', error, `kms:ListKeys listed ${collected.entriesWithoutKeyId} ${collected.entriesWithoutKeyId === 1 ? 'entry' : 'entries'} without a KeyId: ${collected.entriesWithoutKeyId === 1 ? 'that key was' : 'those keys were'} not judged.`);
      ctx.progress?.errors(1);
    }
    coverage.reason = [coverage.reason, ...notes].filter((part): part is string => part !== null).join(' ') || null;
    return { region, keys, coverage };
  } finally {
    target.client.destroy();
  }
}

/** A key read by its ARN (a primary outside the scan's regions), judged like any other. */
async function readKeyByArn(ctx: ScanContext, account: AccountTarget, credentials: CachedCredentials, arn: string, log: AccountLog): Promise<JudgedKey> {
  const region = arnRegion(arn);
  const target = regionTarget(ctx, account, credentials, region);
  try {
    const tally = emptyTally();
    const facts = await collectKeyByArn(target, arn, tally);
    ctx.tally.addCalls(tally);
    addKeyCalls(log, tally);
    const judgement = judgeSafely(ctx.rule, facts, ctx.policy);
    const key: JudgedKey = { region, facts, judgement, result: toKeyResult(account, region, facts, judgement, ctx.rule, ctx.now().toISOString()) };
    await tagFailing(ctx, target, [key]);
    return key;
  } finally {
    target.client.destroy();
  }
}

function addKeyCalls(log: AccountLog, tally: KeyCallTally): void {
  for (const k of ['eligibleKeys', 'eligibleCalls', 'otherKeys', 'otherCalls'] as const) log.keyCalls[k] += tally[k];
}

/** The spool and the counts, for one region's keys (the stages have been applied: scanAccount). */
async function spoolRegion(ctx: ScanContext, account: AccountTarget, region: string, keys: JudgedKey[], log: AccountLog): Promise<KeyResult[]> {
  const results = keys.map((key) => key.result);
  const batch = await ctx.spool.append(account.id, region, results);
  if (batch) log.batches.push(batch);
  ctx.tally.addKeys(results);
  const keyErrors = results.filter((key) => key.status === Status.Error).length;
  ctx.progress?.keysJudged(results.length);
  if (keyErrors > 0) ctx.progress?.errors(keyErrors);
  return results;
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
