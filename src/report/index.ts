/**
 * writeReports: results.json in, the report folder out (findings.csv, controls.csv, coverage.csv,
 * exceptions.csv, changes.csv, findings.xlsx, the exports, report.pdf, then manifest.json last).
 * Reads the results document only; never calls AWS.
 *
 * Keys stream once: each is checked for order, written to findings.csv and folded into the PDF's
 * aggregates, so memory is bounded by accounts, OUs and the PDF's row cap, not by the number of keys.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SignOff } from '../config/sign-off.js';
import { controlsReference, type FrameworkSelection } from '../frameworks/index.js';
import { CHANGES_COLUMNS, writeChangesCsv } from './changes-csv.js';
import type { ChangeSummary, KeyChange } from './changes.js';
import { runsInPeriod } from '../io/period-runs.js';
import { EXCEPTIONS_COLUMNS, writeExceptionsCsv } from '../exceptions/index.js';
import { UsageError } from '../core/errors.js';
import { namedFileDigest, treeDigest } from '../evidence/inputs.js';
import { describeDisagreement, Rejudge, type RejudgeReport } from '../evidence/rejudge.js';
import { readScanEvidence, type ScanEvidence } from '../evidence/scan-evidence.js';
import { SIGNATURE_NAME, type ManifestSigner } from '../evidence/signature.js';
import { frameworksDir } from '../io/paths.js';
import { openResults, type ResultsReader } from '../io/results-document.js';
import type { KeyResult, ResultsHeader } from '../core/results.js';
import { toolName, toolVersion } from '../io/version.js';
import { CONTROLS_COLUMNS, controlLines, controlRow, type ControlLine } from './controls.js';
import { COVERAGE_COLUMNS, coverageRows, summariseCoverage, type CoverageSummary } from './coverage.js';
import { CsvFileWriter, teeRows, writeCsvFile, type RowWriter } from '../io/csv.js';
import { copyFileAtomic, fileDigest } from '../io/files.js';
import { FINDINGS_COLUMNS, findingRow, peopleTags } from './findings.js';
import { checkHeader } from './header.js';
import { recordedDataSource } from './not-evidence.js';
import { MANIFEST_NAME, writeManifest } from './manifest.js';
import { toolSbom } from './tool-sbom.js';
import { KeyOrderGuard } from './order.js';
import { writeFindingExports } from './exports/index.js';
import { NEWLY_FAILING_ROWS, type FileEvidence, type PdfModel } from './pdf/model.js';
import { reportingPeriodOf } from './pdf/period.js';
import { readExceptionsSummary, type ExceptionsSummary } from '../exceptions/summary.js';
import { renderPdf } from './pdf/render.js';
import { loadPrevious } from './previous.js';
import { ReportSummary, type TrendInput } from './summary.js';
import { defaultReportTemplatesDir, loadReportTemplates, type ReportTemplates } from './templates.js';
import { formatInt } from '../core/text.js';
import { RESULTS_FILE } from '../core/run-files.js';
import { XLSX_FILE, XlsxWorkbook, type SheetSpec } from './xlsx.js';

export const REPORT_FILES = {
  results: RESULTS_FILE,
  findings: 'findings.csv',
  controls: 'controls.csv',
  coverage: 'coverage.csv',
  changes: 'changes.csv',
  exceptions: 'exceptions.csv',
  xlsx: XLSX_FILE,
  pdf: 'report.pdf',
  manifest: MANIFEST_NAME,
} as const;

/** The sheets of findings.xlsx, one per CSV file, with the columns that hold dates. */
const SHEETS = {
  findings: { name: 'findings', columns: FINDINGS_COLUMNS, kinds: { evaluated_at: 'date', next_rotation_date: 'date', last_rotation_date: 'date', creation_date: 'date' } },
  controls: { name: 'controls', columns: CONTROLS_COLUMNS },
  coverage: { name: 'coverage', columns: COVERAGE_COLUMNS },
  exceptions: { name: 'exceptions', columns: EXCEPTIONS_COLUMNS, kinds: { created: 'day', expires: 'day', approved: 'day' } },
  changes: { name: 'changes', columns: CHANGES_COLUMNS },
} as const satisfies Record<string, SheetSpec>;

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
  /** Prepared / reviewed / approved by, for the PDF's cover and sign-off page (absent: blank lines to sign). */
  signOff?: SignOff;
  /**
   * The reports root the run belongs to: with a reporting period configured (branding.yaml), the PDF
   * lists and charts the finished runs of that period found there. null/absent: this run only.
   */
  reportsRoot?: string | null;
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
  /** Seconds spent rendering report.pdf (for the benchmark: npm run bench). */
  pdfSeconds: number;
}

export async function writeReports(opts: WriteReportsOptions): Promise<WriteReportsResult> {
  const input = await checkInputs(opts);
  // Inputs are valid: from here on the folder is unfinished until the manifest is back.
  await opts.beforeWrite?.();
  const keptRecords = await prepareFolder(input, opts.keepRunRecords === true);
  const tables = await writeTables(input, opts.frameworks, opts.previousResultsPath ?? null);
  const exportFiles = await writeFindingExports({ outDir: input.outDir, header: input.header, frameworks: opts.frameworks, keys: () => input.reader.keys(), coverage: tables.coverage, controls: tables.controls });
  const evidence = await fileEvidence(input, tables, exportFiles);
  const { pages, pdfSeconds } = await writePdf(input, tables, evidence, opts);
  // The files this run wrote, and only those (src/io/run-folder.ts: a foreign file is never listed).
  const reports = reportNames(input, tables, exportFiles);
  const manifest = await writeRunManifest(input, opts, [...reports, ...(opts.runFiles ?? []), ...keptRecords]);
  return {
    files: [...reports.map((name) => join(input.outDir, name)), manifest],
    pages,
    changes: tables.changes,
    pdfSeconds,
  };
}

/** What one rendering is made from: every input read and checked before anything is written. */
interface ReportInputs {
  outDir: string;
  resultsPath: string;
  templates: ReportTemplates;
  reader: ResultsReader;
  header: ResultsHeader;
  exceptions: ExceptionsSummary | null;
  previous: TrendInput | null;
  scanEvidence: ScanEvidence | null;
  rejudged: RejudgeReport | null;
  maxDetailRows: number;
}

async function checkInputs(opts: WriteReportsOptions): Promise<ReportInputs> {
  const outDir = resolve(opts.outDir);
  const resultsPath = resolve(opts.resultsPath);
  const templates = await loadReportTemplates(opts.templatesDir);
  const reader = await openResults(resultsPath);
  const header = checkHeader(reader.header, resultsPath);
  const exceptions = readExceptionsSummary(header.extensions, resultsPath);
  const previous = opts.previousResultsPath ? await loadPrevious(opts.previousResultsPath) : null;
  const scanEvidence = readScanEvidence(header.extensions, resultsPath);
  const rejudged = opts.rejudge ? await rejudgeAll(reader.keys(), new Rejudge(header, resultsPath), resultsPath, opts.rejudge) : null;
  const maxDetailRows = opts.maxDetailRows ?? templates.branding.maxDetailRows;
  return { outDir, resultsPath, templates, reader, header, exceptions, previous, scanEvidence, rejudged, maxDetailRows };
}

/**
 * Makes the folder ready: the manifest and its signature removed (the folder reads as unfinished until
 * the new manifest is back), and results.json copied in. Returns the run records a re-render keeps listed.
 */
async function prepareFolder(input: ReportInputs, keepRunRecords: boolean): Promise<string[]> {
  const { outDir, resultsPath } = input;
  await mkdir(outDir, { recursive: true });
  const keptRecords = keepRunRecords ? await runRecordsListed(outDir) : [];
  await rm(join(outDir, MANIFEST_NAME), { force: true });
  await rm(join(outDir, SIGNATURE_NAME), { force: true });
  const resultsInFolder = join(outDir, REPORT_FILES.results);
  if (resultsPath !== resultsInFolder && !(await sameFile(resultsPath, resultsInFolder))) {
    // The folder is the hand-off package: it carries the results the reports were made from.
    await copyFileAtomic(resultsPath, resultsInFolder);
  }
  return keptRecords;
}

/** What the tables (the CSV files and findings.xlsx) found, for the exports, the PDF and the manifest. */
interface Tables {
  summary: ReportSummary;
  coverage: CoverageSummary;
  controls: ControlLine[];
  /** Change counts against the previous run; null: no previous run given (no changes.csv). */
  changes: ChangeSummary | null;
  /** The first newly failing keys, for the PDF. */
  newlyFailing: KeyChange[];
}

/** Writes the CSV files, and findings.xlsx with the same rows: one sheet per file, in this order. */
async function writeTables(input: ReportInputs, frameworks: FrameworkSelection, previousResultsPath: string | null): Promise<Tables> {
  const path = (name: string): string => join(input.outDir, name);
  const { header, reader, exceptions } = input;
  const workbook = XlsxWorkbook.open(path(REPORT_FILES.xlsx), { created: snapshotDate(header.finishedAt) });
  const coverage = summariseCoverage(header);
  try {
    const summary = await writeFindings(input, frameworks, workbook.sheet(SHEETS.findings));
    const controls = controlLines(frameworks, (rule) => summary.countsForRule(rule), coverage, (rule) => summary.replicasFailingFor(rule));
    await writeCsvFile(path(REPORT_FILES.controls), CONTROLS_COLUMNS, controls.map(controlRow), workbook.sheet(SHEETS.controls));
    await writeCsvFile(path(REPORT_FILES.coverage), COVERAGE_COLUMNS, coverageRows(header), workbook.sheet(SHEETS.coverage));
    // Optional files: written when their input exists, removed otherwise so a re-render leaves nothing stale.
    if (exceptions) await writeExceptionsCsv(path(REPORT_FILES.exceptions), exceptions, reader.keys(), workbook.sheet(SHEETS.exceptions));
    else await rm(path(REPORT_FILES.exceptions), { force: true });
    const changed = previousResultsPath ? await writeChanges(input, previousResultsPath, workbook.sheet(SHEETS.changes)) : null;
    if (!changed) await rm(path(REPORT_FILES.changes), { force: true });
    await workbook.close();
    return { summary, coverage, controls, changes: changed?.changes ?? null, newlyFailing: changed?.newlyFailing ?? [] };
  } catch (err) {
    await workbook.abort();
    throw err;
  }
}

/**
 * Streams the keys once: each is checked for order, written to findings.csv (and its sheet) and folded
 * into the summary the PDF is drawn from.
 */
async function writeFindings(input: ReportInputs, frameworks: FrameworkSelection, sheet: RowWriter): Promise<ReportSummary> {
  const { header, reader, resultsPath } = input;
  const summary = new ReportSummary(header.parameters.maxRotationDays, input.maxDetailRows, input.previous);
  const guard = new KeyOrderGuard(resultsPath);
  const ctx = { header, controls: controlsReference(frameworks), people: peopleTags(header) };
  const findings = teeRows(CsvFileWriter.open(join(input.outDir, REPORT_FILES.findings), FINDINGS_COLUMNS), sheet);
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
  return summary;
}

/** changes.csv against the previous run, keeping the first newly failing keys for the PDF. */
async function writeChanges(input: ReportInputs, previousResultsPath: string, sheet: RowWriter): Promise<{ changes: ChangeSummary; newlyFailing: KeyChange[] }> {
  const newlyFailing: KeyChange[] = [];
  const keepNewlyFailing = (change: KeyChange): void => {
    if (change.kind === 'newly_failing' && newlyFailing.length < Math.min(NEWLY_FAILING_ROWS, input.maxDetailRows)) newlyFailing.push(change);
  };
  const changes = await writeChangesCsv(join(input.outDir, REPORT_FILES.changes), previousResultsPath, join(input.outDir, REPORT_FILES.results), keepNewlyFailing, sheet);
  return { changes, newlyFailing };
}

/** The files the PDF's evidence list names, with their sizes and SHA-256 digests. */
async function fileEvidence(input: ReportInputs, tables: Tables, exportFiles: readonly { name: string; role: string }[]): Promise<FileEvidence[]> {
  const digest = async (name: string, role: string): Promise<FileEvidence> => ({ name, role, ...(await fileDigest(join(input.outDir, name))) });
  return [
    await digest(REPORT_FILES.results, 'results document (input of every report)'),
    await digest(REPORT_FILES.findings, 'every key, one row per key (attached)'),
    await digest(REPORT_FILES.controls, 'control status per framework'),
    await digest(REPORT_FILES.coverage, 'coverage per account and region (attached)'),
    ...(tables.changes ? [await digest(REPORT_FILES.changes, 'changes since the previous run')] : []),
    ...(input.exceptions ? [await digest(REPORT_FILES.exceptions, 'exceptions register and the keys it covers')] : []),
    await digest(REPORT_FILES.xlsx, 'the CSV files as one Excel workbook (ids as text, dates as dates)'),
    ...(await Promise.all(exportFiles.map((f) => digest(f.name, f.role)))),
  ];
}

/** Renders report.pdf; returns its page count and the seconds it took (for the benchmark: npm run bench). */
async function writePdf(input: ReportInputs, tables: Tables, files: FileEvidence[], opts: WriteReportsOptions): Promise<{ pages: number; pdfSeconds: number }> {
  const { header, templates, maxDetailRows } = input;
  const attached = attachments(input.outDir, files, opts.attachmentLimitBytes ?? DEFAULT_ATTACHMENT_LIMIT_BYTES);
  const period = reportingPeriodOf(templates.branding.reportingPeriod, header.finishedAt);
  const periodRuns = period && opts.reportsRoot ? await runsInPeriod(opts.reportsRoot, period, header.finishedAt, header.scanId) : [];
  const pdfStarted = performance.now();
  const { pages } = await renderPdf(
    {
      header,
      selection: opts.frameworks,
      summary: tables.summary,
      coverage: tables.coverage,
      controls: tables.controls,
      trend: tables.summary.trend(),
      changes: tables.changes,
      newlyFailing: tables.newlyFailing,
      exceptions: input.exceptions,
      templates,
      files,
      ...attached,
      signOff: opts.signOff ?? { preparedBy: null, reviewedBy: null, approvedBy: null },
      period: period ? { period, runs: periodRuns } : null,
      dataSource: recordedDataSource(header),
      maxDetailRows,
      evidence: { signer: opts.signer?.info ?? null, rejudge: input.rejudged },
      placeholders: placeholders(input, opts.frameworks),
    },
    join(input.outDir, REPORT_FILES.pdf),
  );
  return { pages, pdfSeconds: (performance.now() - pdfStarted) / 1000 };
}

/** findings.csv and coverage.csv as the PDF's attachments, each embedded only up to `limit` bytes. */
function attachments(outDir: string, files: readonly FileEvidence[], limit: number): Pick<PdfModel, 'attachments' | 'attachmentNote'> {
  const [findings, coverage] = [REPORT_FILES.findings, REPORT_FILES.coverage].map((name) => ({ name, bytes: files.find((f) => f.name === name)!.bytes }));
  const read = (file: { name: string; bytes: number }) => async () => (file.bytes <= limit ? readFile(join(outDir, file.name)) : null);
  return {
    attachments: [
      { name: REPORT_FILES.findings, description: 'Every key of this scan, one row per key (the findings.csv of the report folder)', read: read(findings!) },
      { name: REPORT_FILES.coverage, description: 'Every account and region in scope, with its coverage status (the coverage.csv of the report folder)', read: read(coverage!) },
    ],
    attachmentNote: [findings!, coverage!]
      .map(({ name, bytes }) =>
        bytes <= limit
          ? `${name} (${formatInt(bytes)} bytes) is embedded in this PDF as an attachment.`
          : `${name} (${formatInt(bytes)} bytes) is larger than the ${formatInt(limit)}-byte embedding limit and is not embedded; its SHA-256 above binds it to this report.`,
      )
      .join(' '),
  };
}

/** The values of the report text's {placeholders} (templates/report/text.yaml). */
function placeholders(input: ReportInputs, frameworks: FrameworkSelection): PdfModel['placeholders'] {
  const { header, templates, maxDetailRows } = input;
  return {
    companyName: templates.branding.companyName,
    ruleId: [...new Set(frameworks.frameworks.map((f) => f.rule))].join(', ') || 'KMS-002',
    maxRotationDays: String(header.parameters.maxRotationDays),
    detailRows: formatInt(maxDetailRows),
    toolName: header.toolName,
    toolVersion: header.toolVersion,
    scanId: header.scanId,
    roleName: header.parameters.roleArnTemplate ?? header.parameters.roleName ?? 'base credentials',
  };
}

/** The reports of this rendering, in the manifest's order (report.pdf last). */
function reportNames(input: ReportInputs, tables: Tables, exportFiles: readonly { name: string }[]): string[] {
  return [
    REPORT_FILES.results,
    REPORT_FILES.findings,
    REPORT_FILES.controls,
    REPORT_FILES.coverage,
    ...(tables.changes ? [REPORT_FILES.changes] : []),
    ...(input.exceptions ? [REPORT_FILES.exceptions] : []),
    REPORT_FILES.xlsx,
    ...exportFiles.map((f) => f.name),
    REPORT_FILES.pdf,
  ];
}

/** manifest.json last (and its signature when a signer is given): it lists `written` with their digests. */
async function writeRunManifest(input: ReportInputs, opts: WriteReportsOptions, written: readonly string[]): Promise<string> {
  const { header, previous, rejudged } = input;
  const sbom = await toolSbom();
  const previousDigest = opts.previousResultsPath && previous ? { scanId: previous.scanId, sha256: (await fileDigest(opts.previousResultsPath)).sha256 } : null;
  return writeManifest(input.outDir, {
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
      dataSource: recordedDataSource(header),
    },
    inputs: {
      frameworks: await treeDigest(frameworksDir, 'frameworks/'),
      controlsFile: opts.frameworks.controlsFile ? await namedFileDigest(opts.frameworks.controlsFile) : null,
      templates: await treeDigest(opts.templatesDir ?? defaultReportTemplatesDir, 'templates/report/'),
      exceptionsRegister: input.scanEvidence?.exceptionsRegister ?? null,
    },
    ...(sbom ? { tool: { sbom } } : {}),
    rejudge: rejudged ? { keys: rejudged.keys, disagreements: rejudged.disagreements, renderedAnyway: rejudged.disagreements > 0 } : null,
  }, opts.signer ?? null, written);
}

/** The workbook's created date: the scan's snapshot time (the header's text is untrusted; the epoch when it is not a date). */
function snapshotDate(finishedAt: string): Date {
  const time = Date.parse(finishedAt);
  return new Date(Number.isNaN(time) ? 0 : time);
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
