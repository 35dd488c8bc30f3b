/**
 * findings.xlsx: the CSV files of the report folder as one Excel workbook, one sheet per file
 * (findings, controls, coverage, exceptions, changes), so 12-digit account ids and key ids stay
 * text (a CSV opened in Excel turns 101892345678 into 1.01892E+11), dates are dates and counts are
 * numbers. Each sheet has a bold, frozen header row and an auto-filter over its rows.
 *
 * The same results give the same bytes: the workbook's dates are the scan's snapshot time, zip entry
 * times included (src/report/zip-time.ts).
 *
 * Written with exceljs's streaming WorkbookWriter (rows are serialised as they are committed, no
 * shared-strings table is kept), so memory stays flat for 100,000 keys. The sheets are written one
 * after the other, findings first, in the same pass that writes findings.csv.
 *
 * Text cells get exactly the CSV treatment (src/core/text.ts): control, bidi and zero-width
 * characters replaced (they are also invalid in the workbook's XML) and a leading `'` on text a
 * spreadsheet would run as a formula. A string cell is never evaluated as written, but editing it
 * (F2, Enter) re-parses it as a formula: the prefix keeps it text.
 */
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import type { RowWriter } from '../io/csv.js';
import type { Cell } from '../io/csv.js';
import { AtomicFile } from '../io/files.js';
import { csvText, neutraliseFormula } from '../core/text.js';
import { setZipEntryTimes } from './zip-time.js';

export const XLSX_FILE = 'findings.xlsx';

/**
 * exceljs's streaming writer, loaded alone: the package's main module (exceljs/lib/exceljs.nodejs.js)
 * also loads the in-memory Workbook, the streaming reader and their dependencies, which a report never
 * uses. Issue 15: importing it took 185-215 ms against 70-90 ms for the writer alone, after a
 * scan's modules. It is the class exceljs exports as ExcelJS.stream.xlsx.WorkbookWriter
 * (test/report/xlsx.test.ts checks that it still is, with the pinned exceljs version).
 */
export const WorkbookWriter = createRequire(import.meta.url)('exceljs/lib/stream/xlsx/workbook-writer.js') as typeof ExcelJS.stream.xlsx.WorkbookWriter;

/** Excel's limits (Excel specifications and limits): rows per sheet, characters per cell. */
export const EXCEL_MAX_ROWS = 1_048_576;
export const EXCEL_MAX_CELL_CHARS = 32_767;

/** `date`: an ISO 8601 date or date-time text cell becomes an Excel date (UTC, as the CSV states it). */
export type ColumnKind = 'date' | 'day';

export interface SheetSpec {
  /** Sheet name: the CSV file's name without `.csv`. */
  name: string;
  columns: readonly string[];
  /** Columns whose ISO 8601 text becomes an Excel date: `date` with the time, `day` a calendar date. */
  kinds?: Readonly<Record<string, ColumnKind>>;
}

/**
 * Cell styles, one object each, shared by every cell that has it: exceljs caches a style's id by the
 * style object's identity, so sharing the objects spares it building one style per cell (most of its
 * time on 100,000 rows otherwise). exceljs must never mutate them: styles are set whole, never by
 * `cell.font = …`.
 */
const STYLE: Record<'plain' | 'header' | ColumnKind, Partial<ExcelJS.Style>> = {
  plain: Object.freeze({}),
  header: Object.freeze({ font: Object.freeze({ bold: true }) }),
  date: Object.freeze({ numFmt: 'yyyy-mm-dd hh:mm:ss' }),
  day: Object.freeze({ numFmt: 'yyyy-mm-dd' }),
};

/** Column widths in characters: wide for free text, the id width for ARNs, otherwise the header's. */
const WIDTHS: Record<string, number> = {
  description: 40, reason: 60, remediation: 50, key_arn: 45, primary_key_arn: 45, aliases: 30, controls: 40, evidence_gaps: 40, inferences: 40,
  account_id: 15, key_id: 38, account_name: 24, ou_path: 28, title: 40, status_basis: 50, error_message: 40, scope: 40, compensating_control: 40,
  previous_reason: 50, current_reason: 50, managed_by: 30, owner: 20,
};

export interface XlsxWorkbookOptions {
  /** Stamped as the workbook's created and modified dates (the scan's snapshot time, not the clock). */
  created: Date;
  /** Rows per sheet before it continues on "<name> (2)" (Excel's limit; lower in tests). */
  maxRowsPerSheet?: number;
}

/** One workbook written to a temp name and renamed into place on close. */
export class XlsxWorkbook {
  private current: XlsxSheetWriter | null = null;
  private readonly sheetNames = new Set<string>();

  private constructor(
    private readonly file: AtomicFile,
    private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter,
    private readonly maxRowsPerSheet: number,
    private readonly created: Date,
  ) {}

  static open(path: string, opts: XlsxWorkbookOptions): XlsxWorkbook {
    const file = AtomicFile.open(path);
    const workbook = new WorkbookWriter({ stream: file.stream, useStyles: true, useSharedStrings: false });
    workbook.creator = 'kms-rotation-audit';
    workbook.lastModifiedBy = 'kms-rotation-audit';
    workbook.created = opts.created;
    workbook.modified = opts.created;
    return new XlsxWorkbook(file, workbook, Math.min(opts.maxRowsPerSheet ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS), opts.created);
  }

  /** Starts the next sheet (the previous one is finished first: a streamed sheet cannot be reopened). */
  sheet(spec: SheetSpec): XlsxSheetWriter {
    this.current?.finish();
    this.current = new XlsxSheetWriter(spec, this.maxRowsPerSheet, (name) => this.addWorksheet(name));
    return this.current;
  }

  async close(): Promise<void> {
    this.current?.finish();
    await this.workbook.commit();
    // The same results give the same bytes (the digest is in report.pdf and manifest.json).
    await this.file.commit((tmp) => setZipEntryTimes(tmp, this.created));
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }

  private addWorksheet(name: string): ExcelJS.Worksheet {
    if (this.sheetNames.has(name)) throw new Error(`findings.xlsx: sheet ${name} written twice`);
    this.sheetNames.add(name);
    return this.workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  }
}

/** The rows of one CSV file as one sheet (continued on "<name> (2)", … past the row limit). */
export class XlsxSheetWriter implements RowWriter {
  private worksheet: ExcelJS.Worksheet | null = null;
  private part = 0;
  private rowsInPart = 0;
  /** Per column: its cell style, and whether its ISO 8601 text becomes a date. */
  private readonly styles: Partial<ExcelJS.Style>[];
  private readonly dates: boolean[];

  constructor(
    private readonly spec: SheetSpec,
    private readonly maxRows: number,
    private readonly addWorksheet: (name: string) => ExcelJS.Worksheet,
  ) {
    this.styles = spec.columns.map((column) => STYLE[spec.kinds?.[column] ?? 'plain']);
    this.dates = spec.columns.map((column) => spec.kinds?.[column] !== undefined);
    this.startPart();
  }

  async write(row: readonly Cell[]): Promise<void> {
    if (row.length !== this.spec.columns.length) throw new Error(`${this.spec.name} sheet: row has ${row.length} cells, expected ${this.spec.columns.length}`);
    if (this.rowsInPart >= this.maxRows) {
      this.finishPart();
      this.startPart();
    }
    const added = this.worksheet!.addRow(row.map((cell, i) => this.value(cell, i)));
    for (let i = 0; i < this.styles.length; i++) added.getCell(i + 1).style = this.styles[i]!;
    added.commit();
    this.rowsInPart++;
    const target = backPressureTarget(this.worksheet!);
    if (target?.full()) await once(target.stream, 'drain');
  }

  /** Whether writes wait for the zip to take the sheet's XML (see backPressureTarget). */
  get backPressure(): boolean {
    return this.worksheet !== null && backPressureTarget(this.worksheet) !== null;
  }

  /** Finishes the sheet; the workbook is written on XlsxWorkbook.close. */
  async close(): Promise<void> {
    this.finish();
  }

  async abort(): Promise<void> {
    // The workbook's temp file is removed by XlsxWorkbook.abort.
  }

  finish(): void {
    if (this.worksheet) this.finishPart();
  }

  private startPart(): void {
    this.part++;
    const worksheet = this.addWorksheet(this.part === 1 ? this.spec.name : `${this.spec.name} (${this.part})`);
    worksheet.columns = this.spec.columns.map((column) => ({ key: column, width: WIDTHS[column] ?? Math.max(10, column.length + 3) }));
    const header = worksheet.addRow([...this.spec.columns]);
    for (let i = 1; i <= this.spec.columns.length; i++) header.getCell(i).style = STYLE.header;
    header.commit();
    this.worksheet = worksheet;
    this.rowsInPart = 1;
  }

  private finishPart(): void {
    const worksheet = this.worksheet!;
    // Over every row written, so sorting and filtering take the whole sheet.
    worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: this.rowsInPart, column: this.spec.columns.length } };
    worksheet.commit();
    this.worksheet = null;
  }

  private value(cell: Cell, index: number): string | number | boolean | Date | null {
    if (cell === null || cell === '') return null;
    if (typeof cell !== 'string') return cell;
    if (this.dates[index]) {
      const time = Date.parse(cell);
      if (!Number.isNaN(time)) return new Date(time);
    }
    // A line break inside an Excel cell is LF; a CR would be read back as LF anyway (XML end-of-line handling).
    const text = neutraliseFormula(csvText(cell)).replace(/\r\n?/g, '\n');
    return text.length <= EXCEL_MAX_CELL_CHARS ? text : truncated(text);
  }
}

/**
 * The stream the zip reads this sheet's XML from, to wait on when it is full. exceljs 4.4.0 writes a
 * sheet into its own StreamBuf, which hands each 64 KiB to archiver's PassThrough
 * (archiver-utils normalizeInputSource) without looking at write()'s result: left alone, a sheet
 * of 100,000 rows is produced faster than it is deflated and the backlog grows with the rows. The
 * version is pinned exactly; test/report/xlsx.test.ts fails if this stops finding the stream.
 */
export function backPressureTarget(worksheet: ExcelJS.Worksheet): { stream: EventEmitter; full: () => boolean } | null {
  const pipes = (worksheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes;
  // archiver's PassThrough comes from the readable-stream package: its state is `_writableState` (needDrain once write() said false).
  const target = pipes?.[0] as (EventEmitter & { _writableState?: { needDrain?: unknown } }) | undefined;
  const state = target?._writableState;
  if (!target || typeof target.once !== 'function' || !state || typeof state.needDrain !== 'boolean') return null;
  return { stream: target, full: () => state.needDrain === true };
}

/** Past Excel's cell limit Excel refuses the file: cut (never inside a surrogate pair) and say so. */
function truncated(text: string): string {
  let cut = EXCEL_MAX_CELL_CHARS - 48;
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--;
  return `${text.slice(0, cut)}… (truncated: the CSV file has the full text)`;
}
