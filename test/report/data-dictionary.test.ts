/**
 * templates/report/data-dictionary.md describes every file a run writes and every column of every CSV
 * file, read from the files the writers actually produce: a column added, renamed or dropped without
 * the dictionary fails here, and so does a dictionary entry for a column that no longer exists.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openKeyFileSigner } from '../../src/evidence/key-file-signer.js';
import { SIGNATURE_NAME } from '../../src/evidence/signature.js';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { PUBLISH_FILE, type PublishSecurityHubOutcome } from '../../src/publish/securityhub.js';
import { ASFF_FILE, HTML_FILE, OCSF_FILE } from '../../src/report/exports/index.js';
import { REPORT_FILES, writeReports } from '../../src/report/index.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { readCsv, tempDir } from './helpers.js';
import { writeRegisterFixture } from './register-fixture.js';

const DICTIONARY = join(import.meta.dirname, '..', '..', 'templates', 'report', 'data-dictionary.md');
const CSV_FILES = [REPORT_FILES.findings, REPORT_FILES.controls, REPORT_FILES.coverage, REPORT_FILES.exceptions, REPORT_FILES.changes];

/** The text under each `## heading` (up to the next one). */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of markdown.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n');
    out.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return out;
}

/** The tables of a section: each a list of rows, each row its cells (header and separator rows dropped). */
function tables(section: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line.slice(1, line.lastIndexOf('|')).split(' | ').map((cell) => cell.trim());
    if (!current) {
      current = [];
      found.push(current);
      continue; // the header row
    }
    if (/^-+$/.test(cells[0]!.replace(/\|/g, ''))) continue; // the separator row
    current.push(cells);
  }
  return found;
}

/** The names a table documents: every `code` span of each row's first cell. */
function documented(table: string[][]): string[] {
  return table.flatMap((row) => [...row[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe('templates/report/data-dictionary.md', () => {
  let dir: string;
  let dictionary: Map<string, string>;

  beforeAll(async () => {
    dictionary = sections(await readFile(DICTIONARY, 'utf8'));
    dir = await tempDir();
    await writeRegisterFixture(join(dir, 'results.json'));
    const previous = join(await tempDir(), 'previous-results.json');
    await writeFixture(previous, { previous: true });
    const keyFile = join(await tempDir(), 'signing.pem');
    await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const signer = await openKeyFileSigner(keyFile);
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}), previousResultsPath: previous, signer });
    signer.close();
  });

  it('lists exactly the files a run can write', () => {
    const files = documented(tables(dictionary.get('Files')!)[0]!);
    expect(new Set(files)).toEqual(new Set([...Object.values(REPORT_FILES), OCSF_FILE, ASFF_FILE, HTML_FILE, SIGNATURE_NAME, PUBLISH_FILE]));
    expect(files).toHaveLength(new Set(files).size);
  });

  it.each(CSV_FILES)('describes every column %s has, and no other', async (file) => {
    const { rows } = await readCsv(join(dir, file));
    const section = dictionary.get(file);
    expect(section, `no "## ${file}" section`).toBeDefined();
    const columns = documented(tables(section!)[0]!);
    expect(columns.filter((column) => !rows[0]!.includes(column)), 'documented but not written').toEqual([]);
    expect(rows[0]!.filter((column) => !columns.includes(column)), 'written but not documented').toEqual([]);
  });

  it('names every sheet of findings.xlsx', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, REPORT_FILES.xlsx));
    const section = dictionary.get('findings.xlsx')!;
    for (const sheet of workbook.worksheets) expect(section, sheet.name).toContain(`\`${sheet.name}\``);
    expect(workbook.worksheets).toHaveLength(CSV_FILES.length);
  });

  it('describes every field of manifest.json and manifest.sig.json', async () => {
    const [manifestTable, signatureTable] = tables(dictionary.get('manifest.json and manifest.sig.json')!);
    const manifest = JSON.parse(await readFile(join(dir, REPORT_FILES.manifest), 'utf8')) as Record<string, unknown>;
    expect(new Set(documented(manifestTable!))).toEqual(new Set(Object.keys(manifest)));
    const signature = JSON.parse(await readFile(join(dir, SIGNATURE_NAME), 'utf8')) as Record<string, unknown>;
    expect(new Set(documented(signatureTable!))).toEqual(new Set(Object.keys(signature)));
  });

  it('describes every field of the results header and of a key', async () => {
    const [table] = tables(dictionary.get('results.json')!);
    const names = documented(table!);
    const results = JSON.parse(await readFile(join(dir, REPORT_FILES.results), 'utf8')) as { header: Record<string, unknown>; keys: Record<string, unknown>[] };
    for (const field of Object.keys(results.header)) {
      expect(names.some((name) => name === `header.${field}` || name.startsWith(`header.${field}.`)), `header.${field}`).toBe(true);
    }
    const keysRow = table!.find((row) => row[0] === '`keys[]`')!;
    const keyFields = new Set(results.keys.flatMap((key) => Object.keys(key)));
    for (const field of keyFields) expect(keysRow[1], `keys[].${field}`).toContain(`\`${field}\``);
  });

  it('describes every field of securityhub-publish.json', () => {
    // Typed as the record the publish step writes, so a field added there is a compile error until listed here.
    const record: Required<PublishSecurityHubOutcome> = { service: 'securityhub', region: '', productAccountId: '', active: 0, archived: 0, imported: 0, requests: 0, failed: [], error: null };
    expect(new Set(documented(tables(dictionary.get(PUBLISH_FILE)!)[0]!))).toEqual(new Set(Object.keys(record)));
  });
});
