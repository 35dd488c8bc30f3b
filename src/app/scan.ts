/**
 * `kms-rotation-audit scan`: the nightly job. Validate everything that can be validated before
 * any AWS call (frameworks, control mappings, previous run, output folders, the signer), take the run
 * folder, scan, then finish the run as a merge does (src/app/run.ts: publish, reports, latest,
 * --keep, upload). Returns the run's exit status.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { homeRegionOf, type Config } from '../config/schema.js';
import { signOffOf } from '../config/sign-off.js';
import { UsageError } from '../core/errors.js';
import { Status } from '../core/results.js';
import { resolveShard, type ShardSpec } from '../core/shard.js';
import { optionSource } from '../core/sources.js';
import { runScan, type ScanDeps, type ScanOutcome } from '../engine/index.js';
import { scanOptionsOf, type ScanOptions } from '../engine/options.js';
import { newScanId } from '../engine/scan-id.js';
import type { KeyStage } from '../engine/types.js';
import { scanEvidenceStage } from '../evidence/scan-evidence.js';
import { openSigner } from '../evidence/signer.js';
import { applyExceptions, createExceptionUsage, EXCEPTIONS_EXTENSION, exceptionsSummary, loadExceptions, registerNeedsTags, type ExceptionRegister } from '../exceptions/index.js';
import { loadFrameworks, type FrameworkSelection } from '../frameworks/index.js';
import { createLogger, type Logger } from '../io/log.js';
import { createLiveProgress, createLoggedProgress } from '../io/progress.js';
import { acquireRunLock, lockName } from '../io/run-folder.js';
import { isFinishedRun } from '../io/runs.js';
import type { ChangeSummary } from '../report/changes.js';
import { checkRunFolder, finishRun, resolvePrevious, runStatus, warnAboutRunFolder } from './run.js';

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

/** What a scan run is, decided before any AWS call: its folder, id, inputs and options. */
interface ScanRunPlan {
  frameworks: FrameworkSelection;
  reportsRoot: string;
  shard: ShardSpec | null;
  outDir: string;
  /** How the user named the output folder (a flag, a variable or file:line). */
  outWhat: string;
  /** A run in its own folder under the reports root takes part in the run history (latest, --keep). */
  inHistory: boolean;
  previousResults: string | null;
  options: ScanOptions;
  stages: KeyStage[];
}

export async function runScanJob(config: Config, ctx: ScanCommandContext): Promise<ScanRunSummary> {
  const started = Date.now();
  const now = ctx.now ?? (() => new Date());
  // A live bar only on a terminal, and then log lines are printed above it, not through it.
  const live = !ctx.logger && config.progress && Boolean(process.stderr.isTTY) && config.logFormat !== 'json' ? createLiveProgress() : null;
  const logger = ctx.logger ?? createLogger({ format: config.logFormat, level: config.logLevel, ...(live ? { stream: live.logStream, isTTY: true } : {}) });
  const plan = await planScanRun(config, ctx, now, logger);
  // The signer is checked before anything is written or scanned (a key file locally; a KMS key by
  // kms:GetPublicKey): a bad one is refused in one line and leaves no folder behind.
  const signer = plan.shard ? null : await openSigner(config, { region: plan.options.homeRegion, ...signerClient(ctx.deps) }, { signKmsKeyId: optionSource(config, 'signKmsKeyId'), signKeyFile: optionSource(config, 'signKeyFile') });
  // The run owns its folder from here (src/io/run-folder.ts): a second writer is refused, a stale lock taken over.
  const lock = await acquireRunLock(plan.outDir, { name: lockName(plan.shard), what: plan.outWhat, command: plan.shard ? `scan shard ${plan.shard.index}/${plan.shard.count}` : 'scan', now }).catch((err: unknown) => {
    signer?.close();
    throw err;
  });
  try {
    await warnAboutRunFolder(lock, plan.outDir, (fields, message) => logger.warn(fields, message));
    const outcome = await scanWithProgress(plan, ctx, logger, live);
    if (plan.shard) return await finishShard(config, ctx.env, logger, outcome, plan.shard, started);
    const { report, exitCode } = await finishRun({
      settings: config,
      outDir: plan.outDir,
      resultsPath: outcome.resultsPath,
      previousResultsPath: plan.previousResults,
      frameworks: plan.frameworks,
      reportsRoot: plan.inHistory ? plan.reportsRoot : null,
      coverageComplete: outcome.coverageComplete,
      counts: outcome.counts,
      homeRegion: plan.options.homeRegion,
      env: ctx.env,
      logger,
      deps: ctx.deps,
      report: { signer, signOff: signOffOf(config) },
    });
    logger.info(runSummary(outcome, { changes: report.changes?.counts ?? null, started, reports: plan.outDir, pdfPages: report.pages, exitCode }), 'run finished');
    return { exitCode, outDir: plan.outDir, outcome, changes: report.changes };
  } finally {
    signer?.close();
    await lock.release();
  }
}

/** Everything checkable without AWS, first. Messages name where each value came from (src/core/sources.ts). */
async function planScanRun(config: Config, ctx: ScanCommandContext, now: () => Date, logger: Logger): Promise<ScanRunPlan> {
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
  const inHistory = !config.out && dirname(outDir) === reportsRoot;
  const previousResults = shard ? null : await resolvePrevious(config, reportsRoot, outDir, (fields, message) => logger.warn(fields, message), from('previous'));
  const startedAt = now();
  const register = config.exceptions ? await loadExceptions(config.exceptions, { maxDays: config.exceptionMaxDays, now: startedAt }) : null;
  const options = scanOptionsOf(config, { outDir, scanId, homeRegion: homeRegionOf(config.homeRegion, ctx.env), shard });
  // --owner-tag / --managed-by-tag read every applicable key's tags, which covers what a tag scope needs.
  if (register && registerNeedsTags(register) && options.collectTags === 'none') options.collectTags = 'failing';
  const stages: KeyStage[] = [...(register ? [exceptionsStage(register, startedAt), scanEvidenceStage(register.file ?? null)] : []), ...(ctx.stages ?? [])];
  // Output folders last (nothing is created by these checks), so a bad path fails before any AWS call.
  const outWhat = from(resumeDir ? 'resume' : config.out ? 'out' : 'reportsRoot');
  await checkRunFolder({ outDir, what: outWhat, reportsRoot: !config.out && !resumeDir ? { dir: reportsRoot, what: from('reportsRoot') } : null, refuseFinished: resumeDir ? null : { force: config.force } });
  return { frameworks, reportsRoot, shard, outDir, outWhat, inHistory, previousResults, options, stages };
}

async function scanWithProgress(plan: ScanRunPlan, ctx: ScanCommandContext, logger: Logger, live: ReturnType<typeof createLiveProgress> | null): Promise<ScanOutcome> {
  const sink = live ?? createLoggedProgress(logger);
  try {
    return await runScan(plan.options, {
      logger,
      progress: {
        accountsTotal: (n) => sink.setTotal(n),
        accountDone: () => sink.accountDone(),
        keysJudged: (n) => sink.keysJudged(n),
        errors: (n) => sink.errors(n),
      },
      stages: plan.stages,
      ...ctx.deps,
    });
  } finally {
    sink.stop();
  }
}

/** The fields of the one summary line a run (or a shard) ends with. */
function runSummary(outcome: ScanOutcome, extra: { started: number; exitCode: number } & Record<string, unknown>): Record<string, unknown> {
  const { started, ...rest } = extra;
  return {
    scanId: outcome.header.scanId,
    byStatus: outcome.counts,
    keys: outcome.header.summary.keys,
    accounts: outcome.header.summary.accountsInScope,
    accountRegionPairs: outcome.header.summary.accountRegionPairs,
    coverageComplete: outcome.coverageComplete,
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    ...rest,
  };
}

/** The signer's KMS client settings from the test and demo hooks (explicit endpoint and credentials). */
function signerClient(deps: Partial<ScanDeps> | undefined): Pick<Partial<ScanDeps>, 'credentials' | 'endpoint'> {
  return { ...(deps?.credentials ? { credentials: deps.credentials } : {}), ...(deps?.endpoint ? { endpoint: deps.endpoint } : {}) };
}

/**
 * A shard delivers its part (results.part-K-of-N.json, uploaded to <upload>/<scan id>/ with
 * --upload); the reports, run history and the run's exit status come from the merge
 * (`merge --from PARTS`). Its exit code still follows --fail-on for its own accounts.
 */
async function finishShard(config: Config, env: NodeJS.ProcessEnv, logger: Logger, outcome: ScanOutcome, shard: ShardSpec, started: number): Promise<ScanRunSummary> {
  const outDir = dirname(outcome.resultsPath);
  const part = basename(outcome.resultsPath);
  const uploaded = config.upload ? await (await import('../io/s3.js')).publishToS3(outDir, config, { env, region: outcome.header.parameters.homeRegion, runName: outcome.header.scanId, files: [part] }) : null;
  if (uploaded) logger.info({ bucket: uploaded.location.bucket, key: uploaded.keys[0] }, 'shard part uploaded');
  if (config.publish.length > 0) logger.info({ publish: config.publish }, 'a shard does not publish: the merge of the parts (merge --from) publishes the whole run once');
  const exitCode = runStatus(config.failOn, outcome.coverageComplete, outcome.counts);
  logger.info(runSummary(outcome, { shard: `${shard.index}/${shard.count}`, started, part: outcome.resultsPath, exitCode }), 'shard finished');
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
