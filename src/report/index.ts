/**
 * writeReports: results.json in, the report folder out (findings.csv, controls.csv, coverage.csv,
 * report.pdf, then manifest.json last). Reads the results document only; never calls AWS.
 *
 * Keys stream once: each is checked for order, written to findings.csv and folded into the PDF's
 * aggregates, so memory is bounded by accounts, OUs and the PDF's row cap, not by the number of keys.
 */
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { controlsReference, type FrameworkSelection } from '../frameworks/index.js';
import { writeChangesCsv } from '../history/changes-csv.js';
import type { ChangeSummary, KeyChange } from '../history/changes.js';
import { writeExceptionsCsv } from '../exceptions/index.js';
import { UsageError } from '../errors.js';
import { namedFileDigest, treeDigest } from '../evidence/inputs.js';
import { describeDisagreement, Rejudge, type RejudgeReport } from '../evidence/rejudge.js';
import { readScanEvidence } from '../evidence/scan-evidence.js';
import { SIGNATURE_NAME, type ManifestSigner } from '../evidence/signature.js';
import { frameworksDir } from '../paths.js';
import { openResults } from '../results/document.js';
import type { KeyResult } from '../results/types.js';
import { toolName, toolVersion } from '../version.js';
import { CONTROLS_COLUMNS, controlLines, controlRow } from './controls.js';
import { COVERAGE_COLUMNS, coverageRows, summariseCoverage } from './coverage.js';
import { CsvFileWriter, writeCsvFile } from './csv.js';
import { fileDigest, tempPath } from './files.js';
import { FINDINGS_COLUMNS, findingRow } from './findings.js';
import { checkHeader } from './header.js';
import { MANIFEST_NAME, writeManifest } from './manifest.js';
import { KeyOrderGuard } from './order.js';
import { writeFindingExports } from './exports/index.js';
import { NEWLY_FAILING_ROWS, type FileEvidence } from './pdf/model.js';
import { readExceptionsSummary } from './pdf/register.js';
import { renderPdf } from './pdf/render.js';
import { loadPrevious } from './previous.js';
import { ReportSummary } from './summary.js';
import { defaultReportTemplatesDir, loadReportTemplates } from './templates.js';
import { formatInt } from './text.js';

export const REPORT_FILES = {
  results: 'results.json',
  findings: 'findings.csv',
  controls: 'controls.csv',
  coverage: 'coverage.csv',
  changes: 'changes.csv',
  exceptions: 'exceptions.csv',
  pdf: 'report.pdf',
  manifest: MANIFEST_NAME,
} as const;

/** findings.csv larger than this is not embedded in the PDF (the appendix says so; the digest still binds it). */
export const DEFAULT_ATTACHMENT_LIMIT_BYTES = 64 * 1024 * 1024;

export interface WriteReportsOptions {
  resultsPath: string;
  outDir: string;
  frameworks: FrameworkSelection;
  previousResultsPath?: string | null;
  /** Folder with branding.yaml, text.yaml and the logo (default templates/report). */
  templatesDir?: string;
  /** Stamped in manifest.json as generatedAt (the PDF uses the scan's own time). */
  now?: Date;
  /** Overrides branding.yaml maxDetailRows (failing/error rows listed in the PDF). */
  maxDetailRows?: number;
  attachmentLimitBytes?: number;
  /** Signs manifest.json (manifest.sig.json); null/absent: unsigned (a stale signature is removed). */
  signer?: ManifestSigner | null;
  /**
   * Re-judge every key from its facts first (src/evidence/rejudge.ts): 'refuse' stops with a
   * UsageError naming the keys whose stored status disagrees; 'report' renders them as a tampering
   * finding. Absent: not re-judged (a scan's own fresh results).
   */
  rejudge?: 'refuse' | 'report' | null;
  /**
   * Other files of this run in the folder, written before the reports (the publish record, a merged
   * run's shard parts): listed in manifest.json with the reports. Nothing else in the folder is.
   */
  runFiles?: readonly string[];
  /**
   * A re-render of a run folder in place: run records the previous manifest listed (the scan's
   * securityhub-publish.json, shard parts) and that are still there stay listed.
   */
  keepRunRecords?: boolean;
  /** Called once every input is checked, before anything is written (a re-render takes its folder's lock here). */
  beforeWrite?: () => Promise<void>;
}

export interface WriteReportsResult {
  /** Absolute paths of the files of the report folder, manifest.json last. */
  files: string[];
  pages: number;
  /** Change counts against the previous run, when one was given. */
  changes: ChangeSummary | null;
}

export async function writeReports(opts: WriteReportsOptions): Promise<WriteReportsResult> {
  const outDir = resolve(opts.outDir);
  const resultsPath = resolve(opts.resultsPath);
  const templates = await loadReportTemplates(opts.templatesDir);
  const reader = await openResults(resultsPath);
  const header = checkHeader(reader.header, resultsPath);
  const exceptions = readExceptionsSummary(header.extensions, resultsPath);
  const previous = opts.previousResultsPath ? await loadPrevious(opts.previousResultsPath) : null;
  const scanEvidence = readScanEvidence(header.extensions, resultsPath);
  const rejudged = opts.rejudge ? await rejudgeAll(reader.keys(), new Rejudge(header, resultsPath), resultsPath, opts.rejudge) : null;
  // Inputs are valid: from here on the folder is unfinished until the manifest is back.
  await opts.beforeWrite?.();
  await mkdir(outDir, { recursive: true });
  const keptRecords = opts.keepRunRecords ? await runRecordsListed(outDir) : [];
  await rm(join(outDir, MANIFEST_NAME), { force: true });
  await rm(join(outDir, SIGNATURE_NAME), { force: true });

  const path = (name: string): string => join(outDir, name);
  const resultsInFolder = path(REPORT_FILES.results);
  if (resolve(resultsPath) !== resultsInFolder && !(await sameFile(resultsPath, resultsInFolder))) {
    // The folder is the hand-off package: it carries the results the reports were made from.
    const tmp = tempPath(resultsInFolder);
    await copyFile(resultsPath, tmp);
    await rename(tmp, resultsInFolder);
  }

  const maxDetailRows = opts.maxDetailRows ?? templates.branding.maxDetailRows;
  const summary = new ReportSummary(header.parameters.maxRotationDays, maxDetailRows, previous);
  const guard = new KeyOrderGuard(resultsPath);
  const ctx = { header, controls: controlsReference(opts.frameworks) };
  const findings = CsvFileWriter.open(path(REPORT_FILES.findings), FINDINGS_COLUMNS);
  try {
    for await (const key of reader.keys()) {
      guard.check(key);
      await findings.write(findingRow(key, ctx));
      summary.add(key);
    }
    await findings.close();
  } catch (err) {
    await findings.abort();
    throw err;
  }

  const coverage = summariseCoverage(header);
  const controls = controlLines(opts.frameworks, (rule) => summary.countsForRule(rule), coverage);
  await writeCsvFile(path(REPORT_FILES.controls), CONTROLS_COLUMNS, controls.map(controlRow));
  await writeCsvFile(path(REPORT_FILES.coverage), COVERAGE_COLUMNS, coverageRows(header));
  // Optional files: written when their input exists, removed otherwise so a re-render leaves nothing stale.
  const newlyFailing: KeyChange[] = [];
  const keepNewlyFailing = (change: KeyChange): void => {
    if (change.kind === 'newly_failing' && newlyFailing.length < Math.min(NEWLY_FAILING_ROWS, maxDetailRows)) newlyFailing.push(change);
  };
  const changes = opts.previousResultsPath ? await writeChangesCsv(path(REPORT_FILES.changes), opts.previousResultsPath, resultsInFolder, keepNewlyFailing) : null;
  if (!changes) await rm(path(REPORT_FILES.changes), { force: true });
  if (exceptions) await writeExceptionsCsv(path(REPORT_FILES.exceptions), exceptions, reader.keys());
  else await rm(path(REPORT_FILES.exceptions), { force: true });

  const exportFiles = await writeFindingExports({ outDir, header, frameworks: opts.frameworks, keys: () => reader.keys(), coverage, controls });

  const evidence: FileEvidence[] = [
    { name: basename(resultsInFolder), role: 'results document (input of every report)', ...(await fileDigest(resultsInFolder)) },
    { name: REPORT_FILES.findings, role: 'every key, one row per key (attached)', ...(await fileDigest(path(REPORT_FILES.findings))) },
    { name: REPORT_FILES.controls, role: 'control status per framework', ...(await fileDigest(path(REPORT_FILES.controls))) },
    { name: REPORT_FILES.coverage, role: 'coverage per account and region', ...(await fileDigest(path(REPORT_FILES.coverage))) },
    ...(changes ? [{ name: REPORT_FILES.changes, role: 'changes since the previous run', ...(await fileDigest(path(REPORT_FILES.changes))) }] : []),
    ...(exceptions ? [{ name: REPORT_FILES.exceptions, role: 'exceptions register and the keys it covers', ...(await fileDigest(path(REPORT_FILES.exceptions))) }] : []),
    ...(await Promise.all(exportFiles.map(async (f) => ({ ...f, ...(await fileDigest(path(f.name))) })))),
  ];
  const findingsBytes = evidence[1]!.bytes;
  const limit = opts.attachmentLimitBytes ?? DEFAULT_ATTACHMENT_LIMIT_BYTES;
  const attach = findingsBytes <= limit;
  const { pages } = await renderPdf(
    {
      header,
      selection: opts.frameworks,
      summary,
      coverage,
      controls,
      trend: summary.trend(),
      changes,
      newlyFailing,
      exceptions,
      templates,
      files: evidence,
      attachment: async () => (attach ? readFile(path(REPORT_FILES.findings)) : null),
      attachmentNote: attach
        ? `findings.csv (${formatInt(findingsBytes)} bytes) is embedded in this PDF as an attachment.`
        : `findings.csv (${formatInt(findingsBytes)} bytes) is larger than the ${formatInt(limit)}-byte embedding limit and is not embedded; its SHA-256 above binds it to this report.`,
      maxDetailRows,
      evidence: { signer: opts.signer?.info ?? null, rejudge: rejudged },
      placeholders: {
        companyName: templates.branding.companyName,
        ruleId: [...new Set(opts.frameworks.frameworks.map((f) => f.rule))].join(', ') || 'KMS-002',
        maxRotationDays: String(header.parameters.maxRotationDays),
        detailRows: formatInt(maxDetailRows),
        toolName: header.toolName,
        toolVersion: header.toolVersion,
        scanId: header.scanId,
        roleName: header.parameters.roleArnTemplate ?? header.parameters.roleName ?? 'base credentials',
      },
    },
    path(REPORT_FILES.pdf),
  );

  const previousDigest = opts.previousResultsPath && previous ? { scanId: previous.scanId, sha256: (await fileDigest(opts.previousResultsPath)).sha256 } : null;
  // The files this run wrote, and only those (src/run-folder.ts: a foreign file is never listed).
  const written = [
    basename(resultsInFolder),
    REPORT_FILES.findings,
    REPORT_FILES.controls,
    REPORT_FILES.coverage,
    ...(changes ? [REPORT_FILES.changes] : []),
    ...(exceptions ? [REPORT_FILES.exceptions] : []),
    ...exportFiles.map((f) => f.name),
    REPORT_FILES.pdf,
    ...(opts.runFiles ?? []),
    ...keptRecords,
  ];
  const manifest = await writeManifest(outDir, {
    toolName,
    toolVersion,
    scanId: header.scanId,
    scanToolVersion: header.toolVersion,
    snapshotAt: header.finishedAt,
    complete: header.complete,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    frameworks: opts.frameworks.frameworks.map((f) => `${f.id}@${f.version}`),
    previousResults: previousDigest,
    scan: {
      partition: header.partition,
      organizationId: header.organizationId,
      callerIdentity: header.callerIdentity,
      dataSource: dataSourceOf(header),
    },
    inputs: {
      frameworks: await treeDigest(frameworksDir, 'frameworks/'),
      controlsFile: opts.frameworks.controlsFile ? await namedFileDigest(opts.frameworks.controlsFile) : null,
      templates: await treeDigest(opts.templatesDir ?? defaultReportTemplatesDir, 'templates/report/'),
      exceptionsRegister: scanEvidence?.exceptionsRegister ?? null,
    },
    rejudge: rejudged ? { keys: rejudged.keys, disagreements: rejudged.disagreements, renderedAnyway: rejudged.disagreements > 0 } : null,
  }, opts.signer ?? null, written);
  return {
    files: [
      resultsInFolder,
      path(REPORT_FILES.findings),
      path(REPORT_FILES.controls),
      path(REPORT_FILES.coverage),
      ...(changes ? [path(REPORT_FILES.changes)] : []),
      ...(exceptions ? [path(REPORT_FILES.exceptions)] : []),
      ...exportFiles.map((f) => path(f.name)),
      path(REPORT_FILES.pdf),
      manifest,
    ],
    pages,
    changes,
  };
}

/** Run records (not reports) that a re-render keeps listed: the publish record and shard parts. */
const RUN_RECORD = /^(securityhub-publish\.json|results\.part-\d{1,5}-of-\d{1,5}\.json)$/;

/** Run records the folder's current manifest lists and that are still there. */
async function runRecordsListed(dir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as { files?: { name?: unknown }[] };
    const names = (manifest.files ?? []).map((f) => f.name).filter((name): name is string => typeof name === 'string' && RUN_RECORD.test(name));
    const present = await Promise.all(names.map(async (name) => ((await stat(join(dir, name)).catch(() => null))?.isFile() ? name : null)));
    return present.filter((name): name is string => name !== null);
  } catch {
    return [];
  }
}

/** The header's record of the endpoints the data came from (`dataSource`, when the scan recorded it). */
function dataSourceOf(header: object): { endpoints: string[]; nonAws: boolean } | null {
  const source = (header as { dataSource?: unknown }).dataSource as { endpoints?: unknown; nonAws?: unknown } | null | undefined;
  if (!source || !Array.isArray(source.endpoints) || typeof source.nonAws !== 'boolean') return null;
  return { endpoints: source.endpoints.map(String), nonAws: source.nonAws };
}

async function rejudgeAll(keys: AsyncIterable<KeyResult>, rejudge: Rejudge, file: string, mode: 'refuse' | 'report'): Promise<RejudgeReport> {
  for await (const key of keys) rejudge.check(key);
  const report = rejudge.report();
  if (report.disagreements > 0 && mode === 'refuse') {
    const first = report.listed.slice(0, 3).map(describeDisagreement).join('; ');
    throw new UsageError(
      `${file}: ${report.disagreements} key(s) carry a status their own facts do not give (edited after the scan?): ${first}${report.disagreements > 3 ? `; and ${report.disagreements - 3} more` : ''}. Refusing to render; --allow-tampered renders them as a tampering finding`,
    );
  }
  return report;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}
