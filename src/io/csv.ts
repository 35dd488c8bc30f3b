/**
 * Streaming CSV files: RFC 4180 (CRLF, quotes doubled), UTF-8 with a BOM for Excel, a header row.
 * Text cells are formula-neutralised in `cast.string` (csv-stringify's escape_formulas would also
 * prefix negative numbers), and control and bidi characters replaced as in the PDF (csvText);
 * numbers and booleans are typed and never altered.
 */
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';
import { AtomicFile } from './files.js';
import { csvText, neutraliseFormula } from '../core/text.js';

/** One CSV cell: text (guarded as untrusted), a number, a boolean or empty. */
export type Cell = string | number | boolean | null;

export function csvOptions(columns: readonly string[]) {
  return {
    bom: true,
    header: true,
    columns: [...columns],
    record_delimiter: 'windows' as const,
    // With CRLF records, csv-stringify only quotes a bare \n inside a field when told to.
    quote_record_delimiter: true,
    cast: {
      string: (value: string) => neutraliseFormula(csvText(value)),
      boolean: (value: boolean) => (value ? 'true' : 'false'),
      number: (value: number) => String(value),
    },
  };
}

/** Where a report table's rows go: a CSV file, a sheet of findings.xlsx, or both (teeRows). */
export interface RowWriter {
  write(row: readonly Cell[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** One writer that hands every row to each of `writers` (null entries are left out). */
export function teeRows(...writers: (RowWriter | null | undefined)[]): RowWriter {
  const all = writers.filter((writer): writer is RowWriter => writer != null);
  return {
    async write(row) {
      for (const writer of all) await writer.write(row);
    },
    async close() {
      for (const writer of all) await writer.close();
    },
    async abort() {
      for (const writer of all) await writer.abort();
    },
  };
}

export class CsvFileWriter implements RowWriter {
  private rows = 0;
  private constructor(
    private readonly file: AtomicFile,
    private readonly columns: number,
    private readonly stringifier: Stringifier,
    private readonly done: Promise<void>,
  ) {}

  static open(path: string, columns: readonly string[]): CsvFileWriter {
    const file = AtomicFile.open(path);
    const stringifier = stringify(csvOptions(columns));
    const done = pipeline(stringifier, file.stream);
    done.catch(() => undefined); // surfaced by write()/close()
    return new CsvFileWriter(file, columns.length, stringifier, done);
  }

  get rowCount(): number {
    return this.rows;
  }

  async write(row: readonly Cell[]): Promise<void> {
    if (row.length !== this.columns) throw new Error(`CSV row has ${row.length} cells, expected ${this.columns}`);
    this.rows++;
    if (!this.stringifier.write(row)) await Promise.race([once(this.stringifier, 'drain'), this.done]);
  }

  /** Flushes and renames the temp file into place. */
  async close(): Promise<void> {
    this.stringifier.end();
    await this.done;
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.stringifier.destroy();
    await this.done.catch(() => undefined);
    await this.file.abort();
  }
}

/** Writes a small CSV whole (controls.csv, coverage.csv), and the same rows to `sheet` when given. */
export async function writeCsvFile(path: string, columns: readonly string[], rows: Iterable<readonly Cell[]>, sheet?: RowWriter | null): Promise<void> {
  const writer = teeRows(CsvFileWriter.open(path, columns), sheet);
  try {
    for (const row of rows) await writer.write(row);
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
