/**
 * `kms-rotation-audit scan`: the nightly job. Validate everything that can be validated before
 * any AWS call (frameworks, control mappings, previous run), scan, write the reports, then (only
 * for a finished run) move `latest`, upload and prune. Returns the exit code.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { rm, stat } from 'node:fs/promises';
import { homeRegionOf, type Config } from '../config/schema.js';
import { signOffOf } from '../config/sign-off.js';
import { optionSource } from '../config/sources.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { applyExceptions, createExceptionUsage, EXCEPTIONS_EXTENSION, exceptionsSummary, loadExceptions, registerNeedsTags, type ExceptionRegister } from '../exceptions/index.js';
import { scanEvidenceStage } from '../evidence/scan-evidence.js';
import { openSigner } from '../evidence/signer.js';
import { loadFrameworks } from '../frameworks/index.js';
import type { ChangeSummary } from '../report/changes.js';
import { finishedRunsNewestFirst, foreignFolders, isFinishedRun, recordFinishedRun } from '../io/runs.js';
import { createLogger, type Logger } from '../io/log.js';
import { createLiveProgress, createLoggedProgress } from '../io/progress.js';
import { openResults } from '../io/results-document.js';
import { Status, type StatusCounts } from '../core/results.js';
import { runScan, type ScanDeps, type ScanOutcome } from '../engine/index.js';
import type { KeyStage } from '../engine/types.js';
import type { ScanOptions } from '../engine/options.js';
import { newScanId } from '../engine/scan-id.js';
import { resolveShard, type ShardSpec } from '../core/shard.js';
import { checkLatestPointer, checkWritableFolder } from '../io/output.js';
import { acquireRunLock, checkNotFinished, describeHolder, foreignFiles, foreignFilesWarning, lockName } from '../io/run-folder.js';

export interface ScanCommandContext {
  env: NodeJS.ProcessEnv;
  /** Test and demo hooks: explicit endpoint / credentials / logger instead of the SDK defaults. */
  deps?: Partial<ScanDeps>;
  logger?: Logger;
  now?: () => Date;
  /** Stages after the scan's own (the demo records which simulated organization it scanned). */
  stages?: KeyStage[];
}

export interface ScanRunSummary {
  exitCode: number;
  outDir: string;
  outcome: ScanOutcome;
  changes: ChangeSummary | null;
}

export async function runScanCommand(config: Config, ctx: ScanCommandContext): Promise<number> {
  return (await runScanJob(config, ctx)).exitCode;
}

export async function runScanJob(config: Config, ctx: ScanCommandContext): Promise<ScanRunSummary> {
  const started = Date.now();
  const now = ctx.now ?? (() => new Date());
  // A live bar only on a terminal, and then log lines are printed above it, not through it.
  const live = !ctx.logger && config.progress && Boolean(process.stderr.isTTY) && config.logFormat !== 'json' ? createLiveProgress() : null;
  const logger = ctx.logger ?? createLogger({ format: config.logFormat, level: config.logLevel, ...(live ? { stream: live.logStream, isTTY: true } : {}) });

  // Everything checkable without AWS, first. Messages name where each value came from (src/config/sources.ts).
  const from = (key: keyof Config & string): string => optionSource(config, key);
  const frameworks = await loadFrameworks({ frameworks: config.frameworks, cisVersion: config.cisVersion, controlsFile: config.controls, sources: { frameworks: from('frameworks'), cisVersion: from('cisVersion') } });
  const reportsRoot = resolve(config.reportsRoot);
  const shard = resolveShard(config, ctx.env);
  if (shard && !config.scanId && !config.resume) {
    const given = config.shard !== null ? `${from('shard')} ${config.shard}` : `${from('shardCount')} ${shard.count} (shard ${shard.index})`;
    throw new UsageError(`${given}: also give --scan-id, the same for every shard of the run (the merge refuses parts of different scans)`);
  }
  // --resume DIR: the run's own folder, id (from its checkpoint) and start time.
  const resumeDir = config.resume ? resolve(config.resume) : null;
  if (resumeDir && config.out && resolve(config.out) !== resumeDir) throw new UsageError(`${from('resume')} ${config.resume} with ${from('out')} ${config.out}: a resumed run finishes in its own folder; drop the output folder`);
  if (resumeDir && !shard && isFinishedRun(resumeDir)) throw new UsageError(`${from('resume')} ${config.resume}: that run already finished (its manifest.json is written); nothing to resume`);
  const scanId = config.scanId ?? (resumeDir ? undefined : newScanId(now()));
  const outDir = resumeDir ?? resolve(config.out ?? join(reportsRoot, scanId!));
  // A run in its own folder under the reports root takes part in the run history (latest, --keep).
  const inHistory = !config.out && dirname(outDir) === reportsRoot;
  const previousResults = shard ? null : await resolvePrevious(config, reportsRoot, outDir, (fields, message) => logger.warn(fields, message), from('previous'));
  const startedAt = now();
  const register = config.exceptions ? await loadExceptions(config.exceptions, { maxDays: config.exceptionMaxDays, now: startedAt }) : null;
  const options = scanOptions(config, outDir, scanId, ctx.env, shard);
  // --owner-tag / --managed-by-tag read every applicable key's tags, which covers what a tag scope needs.
  if (register && registerNeedsTags(register) && options.collectTags === 'none') options.collectTags = 'failing';
  const stages: KeyStage[] = [...(register ? [exceptionsStage(register, startedAt), scanEvidenceStage(register.file ?? null)] : []), ...(ctx.stages ?? [])];
  // Output folders last (nothing is created by these checks), so a bad path fails before any AWS call.
  if (!config.out && !resumeDir) {
    await checkWritableFolder(reportsRoot, from('reportsRoot'));
    await checkLatestPointer(reportsRoot, from('reportsRoot'));
  }
  const outWhat = from(resumeDir ? 'resume' : config.out ? 'out' : 'reportsRoot');
  await checkWritableFolder(outDir, outWhat);

  if (!resumeDir) await checkNotFinished(outDir, outWhat, config.force);
  // The signer is checked before anything is written or scanned (a key file locally; a KMS key by
  // kms:GetPublicKey): a bad one is refused in one line and leaves no folder behind.
  const signer = shard
    ? null
    : await openSigner(
        config,
        { region: homeRegionOf(config.homeRegion, ctx.env), ...(ctx.deps?.credentials ? { credentials: ctx.deps.credentials } : {}), ...(ctx.deps?.endpoint ? { endpoint: ctx.deps.endpoint } : {}) },
        { signKmsKeyId: from('signKmsKeyId'), signKeyFile: from('signKeyFile') },
      );
  // The run owns its folder from here (src/io/run-folder.ts): a second writer is refused, a stale lock taken over.
  const lock = await acquireRunLock(outDir, { name: lockName(shard), what: outWhat, command: shard ? `scan shard ${shard.index}/${shard.count}` : 'scan', now }).catch((err: unknown) => {
    signer?.close();
    throw err;
  });
  try {
    // Warnings once every input is accepted (a bad key file is refused with its one line first).
    if (lock.replaced) logger.warn({ folder: outDir, previousHolder: lock.replaced }, `took over a stale lock (${describeHolder(lock.replaced)}): that run is gone`);
    const foreignInFolder = await foreignFiles(outDir);
    if (foreignInFolder.length > 0) {
      const warning = foreignFilesWarning(outDir, foreignInFolder);
      logger.warn(warning.fields, warning.message);
    }

    const sink = live ?? createLoggedProgress(logger);
    let outcome: ScanOutcome;
    try {
      outcome = await runScan(options, {
        logger,
        progress: {
          accountsTotal: (n) => sink.setTotal(n),
          accountDone: () => sink.accountDone(),
          keysJudged: (n) => sink.keysJudged(n),
          errors: (n) => sink.errors(n),
        },
        stages,
        ...ctx.deps,
      });
    } finally {
      sink.stop();
    }
    if (options.shard) return finishShard(config, ctx.env, logger, outcome, options.shard, started);

    // Loaded once the scan is done (issue 15, lean start-up): the reporters and their PDF fonts, the
    // Security Hub and S3 clients cost start-up time and memory the scan does not need.
    const { publishFindings, PUBLISH_FILE } = await import('./publish.js');
    // Before the reports, so the publish record is in the folder the manifest lists.
    const published = await publishFindings(config, { env: ctx.env, logger, outDir, resultsPath: outcome.resultsPath, previousResultsPath: previousResults, frameworks, homeRegion: options.homeRegion, deps: ctx.deps });
    const { writeReports } = await import('../report/index.js');
    // The publish record is this run's (listed in the manifest); one left by a replaced run is removed.
    if (!published.securityhub) await rm(join(outDir, PUBLISH_FILE), { force: true });
    const report = await writeReports({ resultsPath: outcome.resultsPath, outDir, frameworks, previousResultsPath: previousResults, signer, signOff: signOffOf(config), reportsRoot: inHistory ? reportsRoot : null, runFiles: published.securityhub ? [PUBLISH_FILE] : [] });

    if (inHistory) {
      const removed = await recordFinishedRun(reportsRoot, outDir, config.keep);
      if (removed.length > 0) logger.info({ removed: removed.map((dir) => basename(dir)) }, 'pruned old runs');
      const foreign = config.keep ? await foreignFolders(reportsRoot) : [];
      if (foreign.length > 0) logger.warn({ leftAlone: foreign.map((dir) => basename(dir)) }, 'folders in the reports root that are not runs (no manifest naming their own scan id): left alone by --keep');
    }
    const { publishToS3 } = await import('../io/s3.js');
    const uploaded = await publishToS3(outDir, config, { env: ctx.env, region: options.homeRegion, runName: basename(outDir), ...(ctx.deps?.credentials ? { credentials: ctx.deps.credentials } : {}) });
    if (uploaded) logger.info({ bucket: uploaded.location.bucket, objects: uploaded.keys.length, prefix: `${uploaded.location.prefix}${basename(outDir)}/` }, 'run uploaded');
    const scanExit = exitCodeFor(config.failOn, outcome.coverageComplete, outcome.counts);
    // A failed publish leaves Security Hub stale: the scheduler must see it (exit 2), unless --fail-on never.
    const exitCode = published.ok || config.failOn === 'never' ? scanExit : ExitCode.Incomplete;
    logger.info(
      {
        scanId: outcome.header.scanId,
        byStatus: outcome.counts,
        keys: outcome.header.summary.keys,
        accounts: outcome.header.summary.accountsInScope,
        accountRegionPairs: outcome.header.summary.accountRegionPairs,
        coverageComplete: outcome.coverageComplete,
        changes: report.changes?.counts ?? null,
        durationSeconds: Math.round((Date.now() - started) / 100) / 10,
        reports: outDir,
        pdfPages: report.pages,
        exitCode,
      },
      'run finished',
    );
    return { exitCode, outDir, outcome, changes: report.changes };
  } finally {
    signer?.close();
    await lock.release();
  }
}

/**
 * 0: complete, nothing failing; 1: FAIL findings (with --fail-on fail); 2: incomplete coverage
 * (an account, region or key could not be assessed), unless --fail-on never. Incomplete wins over
 * FAIL: a partial picture is the more urgent thing for a scheduler to surface.
 */
export function exitCodeFor(failOn: Config['failOn'], coverageComplete: boolean, counts: StatusCounts): number {
  if (failOn === 'never') return ExitCode.Ok;
  if (!coverageComplete) return ExitCode.Incomplete;
  if (failOn === 'fail' && counts.FAIL > 0) return ExitCode.Findings;
  return ExitCode.Ok;
}

export function scanOptions(config: Config, outDir: string, scanId: string | undefined, env: NodeJS.ProcessEnv, shard: ShardSpec | null = resolveShard(config, env)): ScanOptions {
  return {
    ...(scanId !== undefined ? { scanId } : {}),
    resume: config.resume !== null,
    roleName: config.roleName,
    roleArnTemplate: config.roleArnTemplate,
    externalId: config.externalId,
    roleSessionName: config.roleSessionName,
    sessionDurationSeconds: config.sessionDuration,
    accounts: config.accounts,
    excludeAccounts: config.excludeAccounts,
    ous: config.ous,
    useOrganizations: config.organizations,
    regions: config.regions,
    maxRotationDays: config.maxRotationDays,
    evaluateDisabled: config.evaluateDisabled,
    concurrency: config.concurrency,
    homeRegion: homeRegionOf(config.homeRegion, env),
    outDir,
    shard,
    collectTags: config.ownerTag !== null || config.managedByTag !== null ? 'all' : 'none',
    ownerTag: config.ownerTag,
    managedByTag: config.managedByTag,
    quotaSafety: config.quotaSafety,
    quotaOverrides: {},
    maxAttempts: config.maxAttempts,
    sourceOf: (key) => optionSource(config, key),
  };
}

/**
 * A shard delivers its part (results.part-K-of-N.json, uploaded to <upload>/<scan id>/ with
 * --upload); the reports, run history and the run's exit status come from the merge
 * (`report --from PARTS`). Its exit code still follows --fail-on for its own accounts.
 */
async function finishShard(config: Config, env: NodeJS.ProcessEnv, logger: Logger, outcome: ScanOutcome, shard: ShardSpec, started: number): Promise<ScanRunSummary> {
  const outDir = dirname(outcome.resultsPath);
  const part = basename(outcome.resultsPath);
  const { publishToS3 } = await import('../io/s3.js');
  const uploaded = await publishToS3(outDir, config, { env, region: outcome.header.parameters.homeRegion, runName: outcome.header.scanId, files: [part] });
  if (uploaded) logger.info({ bucket: uploaded.location.bucket, key: uploaded.keys[0] }, 'shard part uploaded');
  if (config.publish.length > 0) logger.info({ publish: config.publish }, 'a shard does not publish: the merge of the parts (report --from) publishes the whole run once');
  const exitCode = exitCodeFor(config.failOn, outcome.coverageComplete, outcome.counts);
  logger.info(
    {
      scanId: outcome.header.scanId,
      shard: `${shard.index}/${shard.count}`,
      byStatus: outcome.counts,
      keys: outcome.header.summary.keys,
      accounts: outcome.header.summary.accountsInScope,
      coverageComplete: outcome.coverageComplete,
      durationSeconds: Math.round((Date.now() - started) / 100) / 10,
      part: outcome.resultsPath,
      exitCode,
    },
    'shard finished',
  );
  return { exitCode, outDir, outcome, changes: null };
}

/** FAIL keys matched by a valid entry of the register become EXCEPTION; the header gets the register's summary. */
function exceptionsStage(register: ExceptionRegister, now: Date): KeyStage {
  const usage = createExceptionUsage(register);
  return {
    name: EXCEPTIONS_EXTENSION,
    apply: (key) => applyExceptions(key, register, now, usage),
    // A resumed run: an EXCEPTION key was a FAIL when the register was applied; match it again for the usage counts only.
    replay: (key) => {
      if (key.status === Status.Fail || key.status === Status.Exception) applyExceptions({ ...key, status: Status.Fail }, register, now, usage);
    },
    extension: () => exceptionsSummary(register, usage, now),
  };
}

/**
 * --previous auto: the newest finished run under the reports root whose results.json opens (a
 * damaged earlier run is skipped with a warning, decided here, before the scan); a folder or
 * results.json otherwise, which must not be this run's own.
 */
export async function resolvePrevious(
  config: Pick<Config, 'previous'>,
  reportsRoot: string,
  outDir: string,
  warn: (fields: Record<string, unknown>, message: string) => void = () => undefined,
  flag = '--previous',
): Promise<string | null> {
  const previous = config.previous;
  if (!previous) return null;
  if (previous === 'auto') {
    for (const dir of await finishedRunsNewestFirst(reportsRoot, outDir)) {
      const file = join(dir, 'results.json');
      try {
        await openResults(file);
        return file;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        warn({ run: dir, problem: err.message }, 'earlier run skipped as the previous run: its results.json cannot be read');
      }
    }
    return null;
  }
  const path = resolve(previous);
  let file: string;
  try {
    const info = await stat(path);
    file = info.isDirectory() ? join(path, 'results.json') : path;
    await stat(file);
  } catch {
    throw new UsageError(`${flag}: ${previous} is not a results.json file or a run folder holding one`);
  }
  if (dirname(resolve(file)) === resolve(outDir)) {
    throw new UsageError(`${flag} ${previous}: that is this run's own folder (${resolve(outDir)}); give an earlier run, or "auto"`);
  }
  await openResults(file).catch((err: unknown) => {
    throw err instanceof UsageError ? new UsageError(`${flag}: ${err.message}`) : err;
  });
  return file;
}
