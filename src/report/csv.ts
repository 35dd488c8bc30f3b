/**
 * Streaming CSV files: RFC 4180 (CRLF, quotes doubled), UTF-8 with a BOM for Excel, a header row.
 * Text cells are formula-neutralised in `cast.string` (csv-stringify's escape_formulas would also
 * prefix negative numbers), and control and bidi characters replaced as in the PDF (csvText);
 * numbers and booleans are typed and never altered.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Cell } from './findings.js';
import { tempPath } from './files.js';
import { csvText, neutraliseFormula } from './text.js';

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

export class CsvFileWriter {
  private rows = 0;
  private constructor(
    private readonly path: string,
    private readonly tmp: string,
    private readonly columns: number,
    private readonly stringifier: Stringifier,
    private readonly done: Promise<void>,
  ) {}

  static open(path: string, columns: readonly string[]): CsvFileWriter {
    const tmp = tempPath(path);
    const stringifier = stringify(csvOptions(columns));
    const done = pipeline(stringifier, createWriteStream(tmp));
    done.catch(() => undefined); // surfaced by write()/close()
    return new CsvFileWriter(path, tmp, columns.length, stringifier, done);
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
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    this.stringifier.destroy();
    await this.done.catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** Writes a small CSV whole (controls.csv, coverage.csv). */
export async function writeCsvFile(path: string, columns: readonly string[], rows: Iterable<readonly Cell[]>): Promise<void> {
  const writer = CsvFileWriter.open(path, columns);
  try {
    for (const row of rows) await writer.write(row);
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
