/**
 * findings.xlsx (issue 11, point 10), opened with exceljs as a reader would: one sheet per CSV file,
 * account and key ids as text, dates as dates, numbers as numbers, a bold frozen header row and an
 * auto-filter over every row, and cell for cell the same content as the CSV files, formula
 * neutralisation and control-character replacement included.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { WorkbookWriter, XlsxWorkbook } from '../../src/report/xlsx.js';
import { dosDateTime } from '../../src/report/zip-time.js';
import { INJECTION_DESCRIPTIONS, writeFixture } from '../fixtures/results-fixture.js';
import { readCsv, tempDir } from './helpers.js';
import { writeRegisterFixture } from './register-fixture.js';

const SHEETS = ['findings', 'controls', 'coverage', 'exceptions', 'changes'];

/** A cell as the CSV writes it: dates as ISO 8601 UTC (calendar dates for the register's day columns). */
function asCsv(cell: ExcelJS.Cell, dayColumn: boolean): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return dayColumn ? value.toISOString().slice(0, 10) : value.toISOString();
  return String(value);
}

describe('findings.xlsx', () => {
  let dir: string;
  let workbook: ExcelJS.Workbook;

  beforeAll(async () => {
    dir = await tempDir();
    await writeRegisterFixture(join(dir, 'results.json'));
    const previous = join(await tempDir(), 'previous-results.json');
    await writeFixture(previous, { previous: true });
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}), previousResultsPath: previous, now: new Date('2026-11-28T03:00:00Z') });
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'findings.xlsx'));
  });

  it('has one sheet per CSV file, each with a bold frozen header row and an auto-filter over every row', async () => {
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(SHEETS);
    for (const sheet of workbook.worksheets) {
      const { rows } = await readCsv(join(dir, `${sheet.name}.csv`));
      expect(sheet.views[0], sheet.name).toMatchObject({ state: 'frozen', ySplit: 1 });
      for (let c = 1; c <= rows[0]!.length; c++) expect(sheet.getRow(1).getCell(c).font, `${sheet.name} header cell ${c}`).toMatchObject({ bold: true });
      expect(sheet.getRow(2).getCell(1).font?.bold, sheet.name).not.toBe(true);
      expect(sheet.rowCount, sheet.name).toBe(rows.length);
      const lastColumn = sheet.getColumn(rows[0]!.length).letter;
      expect(sheet.autoFilter, sheet.name).toBe(`A1:${lastColumn}${rows.length}`);
    }
    expect(workbook.creator).toBe('kms-rotation-audit');
    expect(workbook.created.toISOString()).toBe('2026-11-28T02:14:37.000Z');
  });

  it('keeps account ids and key ids as text, dates as dates, numbers and booleans typed', () => {
    const sheet = workbook.getWorksheet('findings')!;
    const header = (sheet.getRow(1).values as string[]).slice(1);
    const col = (name: string): number => header.indexOf(name) + 1;
    const types = (name: string): Set<ExcelJS.ValueType> => {
      const seen = new Set<ExcelJS.ValueType>();
      for (let r = 2; r <= sheet.rowCount; r++) if (sheet.getRow(r).getCell(col(name)).value !== null) seen.add(sheet.getRow(r).getCell(col(name)).type);
      return seen;
    };
    for (const name of ['account_id', 'key_id', 'key_arn', 'scan_id']) expect(types(name), name).toEqual(new Set([ExcelJS.ValueType.String]));
    expect(sheet.getRow(2).getCell(col('account_id')).value).toBe('111111111111');
    for (const name of ['evaluated_at', 'creation_date', 'next_rotation_date', 'last_rotation_date']) {
      expect(types(name), name).toEqual(new Set([ExcelJS.ValueType.Date]));
      expect(sheet.getRow(2).getCell(col(name)).numFmt, name).toBe('yyyy-mm-dd hh:mm:ss');
    }
    expect(types('rotation_period_days')).toEqual(new Set([ExcelJS.ValueType.Number]));
    expect(types('rotation_enabled')).toEqual(new Set([ExcelJS.ValueType.Boolean]));

    const controls = workbook.getWorksheet('controls')!;
    expect(controls.getRow(2).getCell(6).type).toBe(ExcelJS.ValueType.Number); // pass
    const exceptions = workbook.getWorksheet('exceptions')!;
    expect(exceptions.getRow(2).getCell(6).type).toBe(ExcelJS.ValueType.Date); // created
    expect(exceptions.getRow(2).getCell(6).numFmt).toBe('yyyy-mm-dd');
    expect(exceptions.getRow(2).getCell(9).type).toBe(ExcelJS.ValueType.String); // account_id
  });

  it('holds exactly the CSV files’ cells, hostile text neutralised and control characters replaced the same way', async () => {
    for (const sheet of workbook.worksheets) {
      const { rows } = await readCsv(join(dir, `${sheet.name}.csv`));
      const dayColumns = new Set(['created', 'expires', 'approved']);
      for (let r = 0; r < rows.length; r++) {
        const cells = rows[r]!.map((_, c) => asCsv(sheet.getRow(r + 1).getCell(c + 1), sheet.name === 'exceptions' && dayColumns.has(rows[0]![c]!)));
        // Line breaks in a cell are LF in Excel.
        expect(cells, `${sheet.name} row ${r + 1}`).toEqual(rows[r]!.map((cell) => cell.replace(/\r\n?/g, '\n')));
      }
    }
    const descriptions: string[] = [];
    const findings = workbook.getWorksheet('findings')!;
    findings.eachRow((row) => row.eachCell((cell) => {
      if (typeof cell.value !== 'string') return;
      expect(cell.value).not.toMatch(/^[=+\-@\t\r＝＋－＠]/);
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(cell.value).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      descriptions.push(cell.value);
    }));
    for (const injected of INJECTION_DESCRIPTIONS) expect(descriptions).toContain(`'${injected}`.replace(/\r/g, '\n'));
    expect(descriptions).toContain(`'=HYPERLINK("http://x.example","prod")`);
  });

  it('stamps every zip entry with the scan time, not the clock, so the same results give the same bytes', async () => {
    const zip = await readFile(join(dir, 'findings.xlsx'));
    const expected = dosDateTime(new Date('2026-11-28T02:14:37.000Z'));
    const stamps: string[] = [];
    // Central directory entries (PKWARE APPNOTE 4.3.12): signature, then time at +12 and date at +14.
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      stamps.push(`${zip.readUInt16LE(at + 12)}/${zip.readUInt16LE(at + 14)}`);
      // ...and the local file header it points to: time at +10, date at +12.
      const local = zip.readUInt32LE(at + 42);
      stamps.push(`${zip.readUInt16LE(local + 10)}/${zip.readUInt16LE(local + 12)}`);
    }
    expect(stamps.length).toBeGreaterThanOrEqual(2 * (SHEETS.length + 6));
    expect(new Set(stamps)).toEqual(new Set([`${expected.time}/${expected.date}`]));
  });

  it('writes with the streaming writer exceljs exports', () => {
    // src/report/xlsx.ts loads exceljs/lib/stream/xlsx/workbook-writer.js alone (issue 15; that the
    // rest of exceljs stays unloaded, test/app/lean-loading.test.ts): it must be the very class of
    // exceljs's own API, or an upgrade moved it.
    expect(WorkbookWriter).toBe(ExcelJS.stream.xlsx.WorkbookWriter);
  });

  it('leaves out the sheets of CSV files the run does not write', async () => {
    const plain = await tempDir();
    await writeFixture(join(plain, 'results.json'));
    await writeReports({ resultsPath: join(plain, 'results.json'), outDir: plain, frameworks: await loadFrameworks({}) });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(join(plain, 'findings.xlsx'));
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['findings', 'controls', 'coverage']);
    expect((await readdir(plain)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('continues a sheet past the row limit on "<name> (2)", header and filter repeated', async () => {
    const out = join(await tempDir(), 'book.xlsx');
    const book = XlsxWorkbook.open(out, { created: new Date('2026-01-01T00:00:00Z'), maxRowsPerSheet: 3 });
    const sheet = book.sheet({ name: 'findings', columns: ['account_id', 'n'] });
    // Memory stays flat only while writes wait for the zip: an exceljs upgrade that moves its streams fails here.
    expect(sheet.backPressure).toBe(true);
    for (let i = 0; i < 5; i++) await sheet.write([`00000000000${i}`, i]);
    await book.close();
    const read = new ExcelJS.Workbook();
    await read.xlsx.readFile(out);
    expect(read.worksheets.map((s) => [s.name, s.rowCount, s.autoFilter])).toEqual([
      ['findings', 3, 'A1:B3'],
      ['findings (2)', 3, 'A1:B3'],
      ['findings (3)', 2, 'A1:B2'],
    ]);
    expect(read.worksheets.flatMap((s) => s.getSheetValues().slice(2).map((row) => (row as unknown[])[1]))).toEqual(['000000000000', '000000000001', '000000000002', '000000000003', '000000000004']);
  });
});
