/**
 * The end of a sharded run (`report --from PARTS`): merge the parts into `<reports-root>/<scan id>/`
 * (or --out), write every report from the merged results, then do what a scan does for a finished
 * run: move `latest`, prune with --keep, upload with --upload, and exit by --fail-on.
 */
import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { homeRegionOf, type Config } from '../../config/schema.js';
import type { SignOff } from '../../config/sign-off.js';
import { optionSource } from '../../config/sources.js';
import type { FrameworkSelection } from '../../frameworks/index.js';
import { recordFinishedRun } from '../../io/runs.js';
import type { ManifestSigner } from '../../evidence/signature.js';
import { writeReports } from '../../report/index.js';
import { exitCodeFor, resolvePrevious } from '../../cli/scan.js';
import { SCAN_EXTENSION, type ScanEngineExtension } from '../../engine/header.js';
import { publishToS3 } from '../../io/s3.js';
import { assertUnder } from '../../core/names.js';
import { checkLatestPointer, checkWritableFolder } from '../../io/output.js';
import { acquireRunLock, checkNotFinished, describeHolder, foreignFiles, foreignFilesWarning } from '../../io/run-folder.js';
import { checkParts, writeMerged, type PartInput } from './parts.js';
import { PUBLISH_FILE, publishFindings, type PublishSettings } from '../../cli/publish.js';
import { ExitCode } from '../../core/errors.js';
import type { Logger } from '../../io/log.js';
import type { ScanDeps } from '../../engine/types.js';

/** The settings of the scan's configuration that the merge applies. */
export type MergeSettings = Pick<Config, 'reportsRoot' | 'previous' | 'keep' | 'upload' | 'uploadSseKms' | 'uploadKmsKeyId' | 'failOn' | 'homeRegion'> &
  PublishSettings &
  Partial<Pick<Config, 'frameworks' | 'cisVersion' | 'controls' | 'force'>>;

export interface MergeRunOptions {
  parts: PartInput[];
  out: string | null;
  settings: MergeSettings;
  frameworks: FrameworkSelection;
  env: NodeJS.ProcessEnv;
  templatesDir?: string;
  now?: Date;
  log?: (fields: Record<string, unknown>, message: string) => void;
  warn?: (fields: Record<string, unknown>, message: string) => void;
  /** Signs the merged run's manifest (src/evidence). */
  signer?: ManifestSigner | null;
  /** Re-judge the merged keys before rendering (src/evidence/rejudge.ts). */
  rejudge?: 'refuse' | 'report' | null;
  /** For --publish: the logger its outcome goes to, and (tests, the demo) the endpoint and credentials. */
  logger: Logger;
  deps?: Partial<ScanDeps>;
  /** Prepared / reviewed / approved by (report.pdf's sign-off). */
  signOff?: SignOff;
}

export interface MergeRunResult {
  outDir: string;
  files: string[];
  pages: number;
  scanId: string;
  parts: number;
  exitCode: number;
}

export async function runMergeReports(opts: MergeRunOptions): Promise<MergeRunResult> {
  const checked = await checkParts(opts.parts);
  const scanId = checked.parts[0]!.header.scanId;
  const reportsRoot = resolve(opts.settings.reportsRoot);
  // The scan id comes from the parts (files, perhaps from S3): checked when read (src/core/results-validate.ts),
  // and the folder it names must still be inside the reports root.
  const outDir = opts.out ? resolve(opts.out) : assertUnder(reportsRoot, join(reportsRoot, scanId), `--from: scan id ${JSON.stringify(scanId)}`);
  const inHistory = !opts.out && dirname(outDir) === reportsRoot;
  const previous = await resolvePrevious({ previous: opts.settings.previous }, reportsRoot, outDir, opts.log, optionSource(opts.settings, 'previous'));
  const resultsPath = join(outDir, 'results.json');
  const outWhat = opts.out ? '--out' : optionSource(opts.settings, 'reportsRoot');
  await checkWritableFolder(outDir, outWhat);
  if (inHistory) await checkLatestPointer(reportsRoot, optionSource(opts.settings, 'reportsRoot'));
  await checkNotFinished(outDir, outWhat, opts.settings.force ?? false);
  // The merge owns the run folder while it writes (src/io/run-folder.ts).
  const lock = await acquireRunLock(outDir, { what: outWhat, command: 'report (merge)', ...(opts.now ? { now: () => opts.now! } : {}) });
  try {
    const header = await writeMerged(checked, resultsPath);
    // Warned about once the parts are merged (a damaged part is refused with its one line first).
    if (lock.replaced) opts.warn?.({ folder: outDir, previousHolder: lock.replaced }, `took over a stale lock (${describeHolder(lock.replaced)}): that run is gone`);
    const foreign = await foreignFiles(outDir);
    if (foreign.length > 0) {
      const warning = foreignFilesWarning(outDir, foreign);
      opts.warn?.(warning.fields, warning.message);
    }
    opts.log?.({ scanId, parts: checked.parts.length, keys: header.summary.keys, results: resultsPath }, 'shard parts merged');
    // A sharded run publishes here, once, from the merged results (the parts do not: a shard sees a
    // part of the organization, and archiving "gone" keys needs all of it).
    const published = await publishFindings(opts.settings, { env: opts.env, logger: opts.logger, outDir, resultsPath, previousResultsPath: previous, frameworks: opts.frameworks, homeRegion: homeRegionOf(opts.settings.homeRegion, opts.env), deps: opts.deps });
    if (!published.securityhub) await rm(join(outDir, PUBLISH_FILE), { force: true });
    // Parts the shards wrote into this very folder are files of this run: listed with the reports, as the publish record is.
    const partsHere = checked.parts.filter((part) => dirname(resolve(part.path)) === outDir).map((part) => basename(part.path));
    const runFiles = [...partsHere, ...(published.securityhub ? [PUBLISH_FILE] : [])];
    const report = await writeReports({ resultsPath, outDir, frameworks: opts.frameworks, previousResultsPath: previous, templatesDir: opts.templatesDir, now: opts.now, signer: opts.signer ?? null, rejudge: opts.rejudge ?? null, signOff: opts.signOff, reportsRoot: inHistory ? reportsRoot : null, runFiles });
    if (inHistory) await recordFinishedRun(reportsRoot, outDir, opts.settings.keep);
    const uploaded = await publishToS3(outDir, opts.settings, { env: opts.env, region: homeRegionOf(opts.settings.homeRegion, opts.env), runName: basename(outDir) });
    if (uploaded) opts.log?.({ bucket: uploaded.location.bucket, objects: uploaded.keys.length, prefix: `${uploaded.location.prefix}${basename(outDir)}/` }, 'run uploaded');
    const scan = header.extensions[SCAN_EXTENSION] as ScanEngineExtension | undefined;
    const scanExit = exitCodeFor(opts.settings.failOn, scan?.coverageComplete === true, header.summary.byStatus);
    const exitCode = published.ok || opts.settings.failOn === 'never' ? scanExit : ExitCode.Incomplete;
    return { outDir, files: report.files, pages: report.pages, scanId, parts: checked.parts.length, exitCode };
  } finally {
    await lock.release();
  }
}

// Where S3 parts are downloaded lives with the sources (src/app/merge/sources.ts), so `report` loads no reporter before it needs one.
export { downloadDirFor, removeDownloads } from './sources.js';
