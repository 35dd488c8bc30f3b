/**
 * The end of a run, shared by `scan` and the merge of a sharded run (src/app/merge/run.ts): the run
 * folder's checks and warnings, then, once the results document is written, publish → reports →
 * run history (latest, --keep) → upload → the run's status by --fail-on.
 */
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { SignOff } from '../config/sign-off.js';
import { UsageError } from '../core/errors.js';
import type { StatusCounts } from '../core/results.js';
import type { ScanDeps } from '../engine/types.js';
import type { ManifestSigner } from '../evidence/signature.js';
import type { FrameworkSelection } from '../frameworks/index.js';
import type { Logger } from '../io/log.js';
import { checkLatestPointer, checkWritableFolder } from '../io/output.js';
import { openResults } from '../io/results-document.js';
import { checkNotFinished, describeHolder, foreignFiles, foreignFilesWarning, type RunLock } from '../io/run-folder.js';
import { finishedRunsNewestFirst, foreignFolders, recordFinishedRun } from '../io/runs.js';
import type { WriteReportsResult } from '../report/index.js';
import { PUBLISH_FILE, RESULTS_FILE } from '../core/run-files.js';
import type { PublishSettings } from './publish.js';

/**
 * A finished run's status, as the exit status reports it (README "Exit codes"): 0 complete and
 * nothing failing; 1 FAIL findings (with --fail-on fail); 2 incomplete coverage, or findings that
 * were to be published and were not.
 */
export const RunStatus = { Ok: 0, Findings: 1, Incomplete: 2 } as const;

/**
 * Incomplete wins over FAIL: a partial picture is the more urgent thing for a scheduler to surface.
 * A failed publish leaves Security Hub stale, so it counts as incomplete. --fail-on never: always 0.
 */
export function runStatus(failOn: Config['failOn'], coverageComplete: boolean, counts: StatusCounts, published = true): number {
  if (failOn === 'never') return RunStatus.Ok;
  if (!coverageComplete || !published) return RunStatus.Incomplete;
  if (failOn === 'fail' && counts.FAIL > 0) return RunStatus.Findings;
  return RunStatus.Ok;
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
      const file = join(dir, RESULTS_FILE);
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
    file = info.isDirectory() ? join(path, RESULTS_FILE) : path;
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

/** Where a run writes, checked before any AWS call or write (nothing is created by these checks). */
export interface RunFolderChecks {
  outDir: string;
  /** How the user named the folder, for messages (a flag, a variable or file:line). */
  what: string;
  /** The reports root when the run goes into it (run history: latest is moved there), with how it was named. */
  reportsRoot: { dir: string; what: string } | null;
  /** A finished run there is replaced only with --force; false for a resumed run's own folder. */
  refuseFinished: { force: boolean } | null;
}

export async function checkRunFolder(checks: RunFolderChecks): Promise<void> {
  if (checks.reportsRoot) {
    await checkWritableFolder(checks.reportsRoot.dir, checks.reportsRoot.what);
    await checkLatestPointer(checks.reportsRoot.dir, checks.reportsRoot.what);
  }
  await checkWritableFolder(checks.outDir, checks.what);
  if (checks.refuseFinished) await checkNotFinished(checks.outDir, checks.what, checks.refuseFinished.force);
}

/** Once the run holds its folder and its inputs are accepted: a stale lock taken over, files it did not write. */
export async function warnAboutRunFolder(lock: RunLock, outDir: string, warn: (fields: Record<string, unknown>, message: string) => void): Promise<void> {
  if (lock.replaced) warn({ folder: outDir, previousHolder: lock.replaced }, `took over a stale lock (${describeHolder(lock.replaced)}): that run is gone`);
  const foreign = await foreignFiles(outDir);
  if (foreign.length > 0) {
    const warning = foreignFilesWarning(outDir, foreign);
    warn(warning.fields, warning.message);
  }
}

export interface FinishRunOptions {
  settings: PublishSettings & Pick<Config, 'failOn' | 'keep' | 'upload' | 'uploadSseKms' | 'uploadKmsKeyId'>;
  outDir: string;
  resultsPath: string;
  previousResultsPath: string | null;
  frameworks: FrameworkSelection;
  /** The run's history root when the run is in it (latest and --keep), else null. */
  reportsRoot: string | null;
  coverageComplete: boolean;
  counts: StatusCounts;
  homeRegion: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  deps?: Partial<ScanDeps>;
  /** Files of this run in the folder besides the reports (a merged run's shard parts). */
  runFiles?: readonly string[];
  report?: { signer?: ManifestSigner | null; signOff?: SignOff; templatesDir?: string; now?: Date; rejudge?: 'refuse' | 'report' | null };
}

export interface FinishedRun {
  report: WriteReportsResult;
  exitCode: number;
}

export async function finishRun(opts: FinishRunOptions): Promise<FinishedRun> {
  const { outDir, logger } = opts;
  // Before the reports, so the publish record is in the folder the manifest lists; a record left by a
  // replaced run is removed. The reporters are loaded only now, the S3 and Security Hub clients only
  // when the run uploads or publishes (lean start-up: the scan does not need them).
  const { publishFindings } = await import('./publish.js');
  const published = await publishFindings(opts.settings, { env: opts.env, logger, outDir, resultsPath: opts.resultsPath, previousResultsPath: opts.previousResultsPath, frameworks: opts.frameworks, homeRegion: opts.homeRegion, deps: opts.deps });
  if (!published.securityhub) await rm(join(outDir, PUBLISH_FILE), { force: true });
  const { writeReports } = await import('../report/index.js');
  const report = await writeReports({
    resultsPath: opts.resultsPath,
    outDir,
    frameworks: opts.frameworks,
    previousResultsPath: opts.previousResultsPath,
    reportsRoot: opts.reportsRoot,
    runFiles: [...(opts.runFiles ?? []), ...(published.securityhub ? [PUBLISH_FILE] : [])],
    ...opts.report,
  });
  if (opts.reportsRoot) {
    const removed = await recordFinishedRun(opts.reportsRoot, outDir, opts.settings.keep);
    if (removed.length > 0) logger.info({ removed: removed.map((dir) => basename(dir)) }, 'pruned old runs');
    const foreign = opts.settings.keep ? await foreignFolders(opts.reportsRoot) : [];
    if (foreign.length > 0) logger.warn({ leftAlone: foreign.map((dir) => basename(dir)) }, 'folders in the reports root that are not runs (no manifest naming their own scan id): left alone by --keep');
  }
  // The S3 client is loaded only for a run that uploads.
  const uploaded = opts.settings.upload ? await (await import('../io/s3.js')).publishToS3(outDir, opts.settings, { env: opts.env, region: opts.homeRegion, runName: basename(outDir), ...(opts.deps?.credentials ? { credentials: opts.deps.credentials } : {}) }) : null;
  if (uploaded) logger.info({ bucket: uploaded.location.bucket, objects: uploaded.keys.length, prefix: `${uploaded.location.prefix}${basename(outDir)}/` }, 'run uploaded');
  return { report, exitCode: runStatus(opts.settings.failOn, opts.coverageComplete, opts.counts, published.ok) };
}
