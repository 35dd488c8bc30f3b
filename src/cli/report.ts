/**
 * `kms-rotation-audit report --from results.json [--out DIR] [--previous OLD-results.json]
 *   [--frameworks cis,apra,mas,nist] [--cis-version V] [--controls FILE]`
 * Re-renders every report from a saved results document; never calls AWS.
 * Without --out the reports are written next to the results file (the same folder), so the folder
 * stays one self-contained hand-off package with its manifest.
 *
 * `merge --from PART... | DIR | s3://bucket/prefix/` merges the parts of a sharded run instead
 * (src/app/merge/run.ts): into <reports-root>/<scan id>/, with the run history, upload and exit
 * status of a finished scan. `report --from PARTS` is the same merge (an alias kept from before
 * `merge` was its own command): both go through runFrom below.
 */
import { dirname, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { configSchema, homeRegionOf } from '../config/schema.js';
import type { SignOff } from '../config/sign-off.js';
import { inheritSources, optionSource } from '../core/sources.js';
import { UsageError } from '../core/errors.js';
import { openSigner, type SignContext, type SignSettings } from '../evidence/signer.js';
import type { ManifestSigner } from '../evidence/signature.js';
import { loadFrameworks } from '../frameworks/index.js';
import { runKind } from '../io/runs.js';
import { createLogger, type Logger } from '../io/log.js';
import type { ScanDeps } from '../engine/types.js';
import type { MergeSettings } from '../app/merge/run.js';
import { checkWritableFolder } from '../io/output.js';
import { acquireRunLock, checkNotFinished, describeHolder, foreignFiles, foreignFilesWarning, type RunLock } from '../io/run-folder.js';
import { downloadDirFor, removeDownloads, resolveFrom } from '../app/merge/sources.js';
import type { PartInput } from '../app/merge/parts.js';
import { s3ClientConfig } from '../io/s3.js';

export interface ReportCommandOptions {
  from: string[];
  out?: string | null;
  previous?: string | null;
  /** Omit for the default selection (plus frameworks a controls file adds). */
  frameworks?: string[] | null;
  cisVersion?: string | null;
  controls?: string | null;
  /** Report templates folder (branding.yaml, text.yaml); default templates/report. */
  templatesDir?: string;
  now?: Date;
  /** For a merge of shard parts: the scan configuration's reports root, previous, keep, upload, publish, fail-on (defaults: the schema's). */
  merge?: Partial<MergeSettings>;
  /** Where a merge's --publish outcome is logged (default: a logger on stderr). */
  logger?: Logger;
  /** Test and demo hooks for a merge's --publish: endpoint and credentials instead of the SDK defaults. */
  deps?: Partial<ScanDeps>;
  env?: NodeJS.ProcessEnv;
  log?: (fields: Record<string, unknown>, message: string) => void;
  /** Warnings: foreign files in the output folder, a stale lock taken over. */
  warn?: (fields: Record<string, unknown>, message: string) => void;
  /** Sign the re-rendered folder (--sign-kms-key-id / --sign-key-file); absent: unsigned. */
  sign?: Partial<SignSettings>;
  /** KMS client settings for the signer (tests, demo); default: the SDK's chain and AWS_ENDPOINT_URL. */
  signContext?: Partial<SignContext>;
  /**
   * Every key is re-judged from its facts first; a stored status that disagrees is refused (exit 64),
   * or with this flag rendered as a tampering finding.
   */
  allowTampered?: boolean;
  /** Prepared / reviewed / approved by, printed on the cover and the sign-off page (absent: blank lines). */
  signOff?: SignOff;
}

export interface ReportCommandResult {
  outDir: string;
  files: string[];
  pages: number;
  /** 0 for a re-render; for a merge, the run's exit status by --fail-on (as `scan` would have). */
  exitCode: number;
  /** Parts merged (null for a re-render). */
  merged: number | null;
}

/** A merge's settings default as a scan's do: the one schema's defaults. */
const MERGE_DEFAULTS: MergeSettings = configSchema.parse({});

/** `report --from`: a re-render of one results document, or (the alias of `merge`) a merge of shard parts. */
export async function runReportCommand(opts: ReportCommandOptions): Promise<ReportCommandResult> {
  if (opts.from.length === 0) throw new UsageError('--from: expected a results.json file, or shard parts (files, a folder or s3://bucket/prefix/)');
  return runFrom(opts, false);
}

/** `merge --from PARTS`: the parts of a sharded run merged and finished as a scan's run (src/app/merge/run.ts). */
export async function runMergeCommand(opts: ReportCommandOptions): Promise<ReportCommandResult> {
  if (opts.from.length === 0) throw new UsageError('--from: expected shard parts (files, a folder or s3://bucket/prefix/)');
  return runFrom(opts, true);
}

async function runFrom(opts: ReportCommandOptions, partsOnly: boolean): Promise<ReportCommandResult> {
  const env = opts.env ?? process.env;
  // The settings keep the record of where each value came from (src/core/sources.ts), for messages.
  const settings: MergeSettings = inheritSources(opts.merge, { ...MERGE_DEFAULTS, ...opts.merge, ...(opts.previous ? { previous: opts.previous } : {}) });
  const downloadDir = downloadDirFor(opts.out ?? null, settings.reportsRoot);
  let s3: S3Client | null = null;
  let signer: ManifestSigner | null = null;
  const rejudge = opts.allowTampered ? 'report' : 'refuse';
  // S3 parts are downloaded beside the run folders: that folder must be writable before the first
  // S3 call, or a merge in a container with an unwritable /reports dies half-way with a raw EACCES.
  if (opts.from.some((source) => source.startsWith('s3://'))) await checkWritableFolder(dirname(downloadDir), opts.out ? '--out' : '--reports-root');
  try {
    const inputs = await resolveFrom(opts.from, { downloadDir, partsOnly, s3: () => (s3 ??= new S3Client(s3ClientConfig(env, homeRegionOf(settings.homeRegion, env)))) });
    const openRunSigner = async (): Promise<ManifestSigner | null> => (signer = await openSignerOf(opts, settings, env));
    if (inputs.kind === 'results') return await rerender(inputs.path, opts, openRunSigner, rejudge);
    return await merge(inputs.parts, opts, settings, openRunSigner, rejudge);
  } finally {
    (s3 as S3Client | null)?.destroy();
    (signer as ManifestSigner | null)?.close();
    await removeDownloads(downloadDir);
  }
}

/** The signer of --sign-kms-key-id / --sign-key-file (null: unsigned), its messages naming where each came from. */
function openSignerOf(opts: ReportCommandOptions, settings: MergeSettings, env: NodeJS.ProcessEnv): Promise<ManifestSigner | null> {
  return openSigner(
    { signKmsKeyId: opts.sign?.signKmsKeyId ?? null, signKeyFile: opts.sign?.signKeyFile ?? null },
    { region: homeRegionOf(settings.homeRegion, env), ...opts.signContext },
    { signKmsKeyId: optionSource(settings, 'signKmsKeyId'), signKeyFile: optionSource(settings, 'signKeyFile') },
  );
}

async function merge(parts: PartInput[], opts: ReportCommandOptions, settings: MergeSettings, openRunSigner: () => Promise<ManifestSigner | null>, rejudge: 'refuse' | 'report'): Promise<ReportCommandResult> {
  const frameworks = await loadFrameworks({ frameworks: opts.frameworks ?? settings.frameworks ?? null, cisVersion: opts.cisVersion ?? settings.cisVersion ?? null, controlsFile: opts.controls ?? settings.controls ?? null });
  const { runMergeReports } = await import('../app/merge/run.js');
  const env = opts.env ?? process.env;
  const merged = await runMergeReports({ parts, out: opts.out ?? null, settings, frameworks, env, templatesDir: opts.templatesDir, now: opts.now, log: opts.log, warn: opts.warn, logger: opts.logger ?? createLogger({ format: 'auto', level: 'info' }), deps: opts.deps, signer: await openRunSigner(), rejudge, signOff: opts.signOff });
  return { outDir: merged.outDir, files: merged.files, pages: merged.pages, exitCode: merged.exitCode, merged: merged.parts };
}

/**
 * The reports root a re-rendered run belongs to: the parent of its folder when the folder is a finished
 * run named by its scan id (src/io/runs.ts runKind), so the report can list the runs of its
 * reporting period; null for a results file anywhere else.
 */
function runsRootOf(resultsPath: string): string | null {
  const runDir = dirname(resultsPath);
  return runKind(runDir) === 'finished' ? dirname(runDir) : null;
}

async function rerender(from: string, opts: ReportCommandOptions, openRunSigner: () => Promise<ManifestSigner | null>, rejudge: 'refuse' | 'report'): Promise<ReportCommandResult> {
  const resultsPath = resolve(from);
  const outDir = resolve(opts.out ?? dirname(resultsPath));
  // Re-rendering the folder that holds the results is what `report` is for; any other finished run needs --force.
  const inPlace = outDir === dirname(resultsPath);
  const what = opts.out ? '--out' : `the folder of --from`;
  if (opts.previous && resolve(opts.previous) === resultsPath) throw new UsageError(`--previous: ${opts.previous} is the same file as --from`);
  const frameworks = await loadFrameworks({ frameworks: opts.frameworks ?? null, cisVersion: opts.cisVersion ?? null, controlsFile: opts.controls ?? null });
  await checkWritableFolder(outDir, what);
  if (!inPlace) await checkNotFinished(outDir, what, opts.merge?.force ?? false);
  const signer = await openRunSigner();
  let lock: RunLock | null = null;
  // Once the results are checked (writeReports reads them first), the folder is taken, and only then warned about.
  const claim = async (): Promise<void> => {
    lock = await acquireRunLock(outDir, { what, command: 'report', ...(opts.now ? { now: () => opts.now! } : {}) });
    if (lock.replaced) opts.warn?.({ folder: outDir, previousHolder: lock.replaced }, `took over a stale lock (${describeHolder(lock.replaced)}): that run is gone`);
    const foreign = await foreignFiles(outDir);
    if (foreign.length > 0) {
      const warning = foreignFilesWarning(outDir, foreign);
      opts.warn?.(warning.fields, warning.message);
    }
  };
  try {
    const { writeReports } = await import('../report/index.js');
    const { files, pages } = await writeReports({
      beforeWrite: claim,
      signer,
      rejudge,
      resultsPath,
      outDir,
      frameworks,
      previousResultsPath: opts.previous ? resolve(opts.previous) : null,
      templatesDir: opts.templatesDir,
      now: opts.now,
      signOff: opts.signOff,
      reportsRoot: runsRootOf(resultsPath),
      keepRunRecords: inPlace,
    });
    return { outDir, files, pages, exitCode: 0, merged: null };
  } finally {
    await (lock as RunLock | null)?.release();
  }
}
