/**
 * `kms-rotation-audit report --from results.json [--out DIR] [--previous OLD-results.json]
 *   [--frameworks cis,apra,mas,nist] [--cis-version V] [--controls FILE]`
 * Re-renders every report from a saved results document; never calls AWS.
 * Without --out the reports are written next to the results file (the same folder), so the folder
 * stays one self-contained hand-off package with its manifest.
 */
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadFrameworks } from '../frameworks/index.js';
import { writeReports } from '../report/index.js';

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
}

export interface ReportCommandResult {
  outDir: string;
  files: string[];
  pages: number;
}

export async function runReportCommand(opts: ReportCommandOptions): Promise<ReportCommandResult> {
  if (opts.from.length === 0) throw new UsageError('--from: expected a results.json file');
  if (opts.from.length > 1) {
    throw new UsageError(`--from: ${opts.from.length} results files given; merging shard results is not supported yet (give one results.json)`);
  }
  const resultsPath = resolve(opts.from[0]!);
  const outDir = resolve(opts.out ?? dirname(resultsPath));
  if (opts.previous && resolve(opts.previous) === resultsPath) throw new UsageError(`--previous: ${opts.previous} is the same file as --from`);
  const frameworks = await loadFrameworks({ frameworks: opts.frameworks ?? null, cisVersion: opts.cisVersion ?? null, controlsFile: opts.controls ?? null });
  const { files, pages } = await writeReports({
    resultsPath,
    outDir,
    frameworks,
    previousResultsPath: opts.previous ? resolve(opts.previous) : null,
    templatesDir: opts.templatesDir,
    now: opts.now,
  });
  return { outDir, files, pages };
}
