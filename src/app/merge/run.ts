/**
 * The end of a sharded run (`merge --from PARTS`, or its alias `report --from PARTS`): merge the
 * parts into `<reports-root>/<scan id>/` (or --out), then finish the run as a scan does
 * (src/app/run.ts: publish, reports, latest, --keep, upload, the run's status by --fail-on).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { homeRegionOf, type Config } from '../../config/schema.js';
import type { SignOff } from '../../config/sign-off.js';
import { assertUnder } from '../../core/names.js';
import { SCAN_EXTENSION, type ScanEngineExtension } from '../../core/results.js';
import { RESULTS_FILE } from '../../core/run-files.js';
import { optionSource } from '../../core/sources.js';
import type { ScanDeps } from '../../engine/types.js';
import type { ManifestSigner } from '../../evidence/signature.js';
import type { FrameworkSelection } from '../../frameworks/index.js';
import type { Logger } from '../../io/log.js';
import { acquireRunLock } from '../../io/run-folder.js';
import type { PublishSettings } from '../publish.js';
import { checkRunFolder, finishRun, resolvePrevious, warnAboutRunFolder } from '../run.js';
import { checkParts, writeMerged, type PartInput } from './parts.js';

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
  const resultsPath = join(outDir, RESULTS_FILE);
  const outWhat = opts.out ? '--out' : optionSource(opts.settings, 'reportsRoot');
  // The reports root is checked only when latest is moved in it (a merge into its own folder under it).
  await checkRunFolder({ outDir, what: outWhat, reportsRoot: inHistory ? { dir: reportsRoot, what: optionSource(opts.settings, 'reportsRoot') } : null, refuseFinished: { force: opts.settings.force ?? false } });
  // The merge owns the run folder while it writes (src/io/run-folder.ts).
  const lock = await acquireRunLock(outDir, { what: outWhat, command: 'merge', ...(opts.now ? { now: () => opts.now! } : {}) });
  try {
    const header = await writeMerged(checked, resultsPath);
    // Warned about once the parts are merged (a damaged part is refused with its one line first).
    await warnAboutRunFolder(lock, outDir, (fields, message) => opts.warn?.(fields, message));
    opts.log?.({ scanId, parts: checked.parts.length, keys: header.summary.keys, results: resultsPath }, 'shard parts merged');
    const scan = header.extensions[SCAN_EXTENSION] as ScanEngineExtension | undefined;
    // A sharded run publishes here, once, from the merged results (the parts do not: a shard sees a
    // part of the organization, and archiving "gone" keys needs all of it). Parts the shards wrote
    // into this very folder are files of this run: listed with the reports.
    const { report, exitCode } = await finishRun({
      settings: opts.settings,
      outDir,
      resultsPath,
      previousResultsPath: previous,
      frameworks: opts.frameworks,
      reportsRoot: inHistory ? reportsRoot : null,
      coverageComplete: scan?.coverageComplete === true,
      counts: header.summary.byStatus,
      homeRegion: homeRegionOf(opts.settings.homeRegion, opts.env),
      env: opts.env,
      logger: opts.logger,
      deps: opts.deps,
      runFiles: checked.parts.filter((part) => dirname(resolve(part.path)) === outDir).map((part) => basename(part.path)),
      report: { signer: opts.signer ?? null, signOff: opts.signOff, templatesDir: opts.templatesDir, now: opts.now, rejudge: opts.rejudge ?? null },
    });
    return { outDir, files: report.files, pages: report.pages, scanId, parts: checked.parts.length, exitCode };
  } finally {
    await lock.release();
  }
}

// Where S3 parts are downloaded lives with the sources (src/app/merge/sources.ts), so `report` and `merge` load no reporter before they need one.
export { downloadDirFor, removeDownloads } from './sources.js';
