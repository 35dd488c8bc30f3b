import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { UsageError } from '../../src/core/errors.js';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { csvOptions } from '../../src/io/csv.js';
import { FINDINGS_COLUMNS } from '../../src/report/findings.js';
import { writeReports } from '../../src/report/index.js';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { CASES, INJECTION_DESCRIPTIONS, fixtureHeader, fixtureKeys } from '../fixtures/results-fixture.js';
import { readCsv, renderFixture, tempDir } from './helpers.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden', 'findings-small.csv');

describe('findings.csv', () => {
  it('has the exact header, a BOM, CRLF records and one row per key', async () => {
    const { dir } = await renderFixture();
    const { raw, rows } = await readCsv(join(dir, 'findings.csv'));
    expect(raw.startsWith('\uFEFFscan_id,evaluated_at,account_id,')).toBe(true);
    expect(rows[0]).toEqual([
      'scan_id', 'evaluated_at', 'account_id', 'account_name', 'ou_path', 'region', 'key_id', 'key_arn', 'aliases', 'description',
      'key_manager', 'key_spec', 'key_usage', 'origin', 'key_state', 'multi_region_type', 'primary_key_arn', 'rotation_enabled',
      'rotation_period_days', 'next_rotation_date', 'last_rotation_date', 'last_rotation_type', 'status', 'reason', 'exception_id',
      'rule_id', 'severity', 'controls', 'remediation', 'evidence_gaps', 'inferences',
      'creation_date', 'owner', 'managed_by',
    ]);
    expect(rows[0]).toEqual([...FINDINGS_COLUMNS]);
    expect(rows.length - 1).toBe(CASES.length);
    // every record ends with CRLF; no bare LF outside quoted fields
    expect(raw.endsWith('\r\n')).toBe(true);
    expect(raw.split('\r\n').length - 1).toBeGreaterThanOrEqual(CASES.length + 1);
    const statuses = new Set(rows.slice(1).map((r) => r[22]));
    expect([...statuses].sort()).toEqual(['ERROR', 'EXCEPTION', 'FAIL', 'NOT_APPLICABLE', 'PASS']);
  });

  it('keeps the stable order (account, region, key id)', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    const keys = rows.slice(1).map((r) => [r[2]!, r[5]!, r[6]!].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
  });

  it('neutralises formula injection in text fields only', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    const descriptions = rows.slice(1).map((r) => r[9]!);
    for (const injected of INJECTION_DESCRIPTIONS) expect(descriptions).toContain(`'${injected}`);
    // untrusted account name that looks like a formula
    expect(rows.slice(1).map((r) => r[3])).toContain(`'=HYPERLINK("http://x.example","prod")`);
    // an alias starting with "-" is text
    expect(rows.slice(1).map((r) => r[8])).toContain('alias/-minus');
    // no text cell starts with a formula character
    for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r＝＋－＠]/);
    // numbers are untouched
    expect(rows.slice(1).map((r) => r[18])).toContain('730');
    // embedded newlines, quotes and commas survive the round trip; control and bidi characters are
    // replaced as in the PDF (issue 12 point 14; results.json keeps the raw text)
    expect(descriptions).toContain('bell\uFFFD escape\uFFFD[31m red \uFFFDevil-rtl\uFFFD, line1\nline2, "quoted", comma');
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('leaves negative and decimal numbers alone (escape_formulas would prefix them)', () => {
    const out = stringify([[-12.5, '-12.5', true, false, null]], csvOptions(['n', 't', 'b1', 'b2', 'empty']));
    expect(out).toBe('\uFEFFn,t,b1,b2,empty\r\n-12.5,\'-12.5,true,false,\r\n');
  });

  it('writes booleans, ISO UTC dates, empty unknowns, controls and the remediation command', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    const [header, ...body] = rows;
    const col = (name: string): number => header!.indexOf(name);
    const byStatus = (s: string) => body.filter((r) => r[col('status')] === s);
    expect(new Set(body.map((r) => r[col('rotation_enabled')]))).toEqual(new Set(['true', 'false', '']));
    // +08:00 offset in the input becomes UTC
    expect(body.map((r) => r[col('next_rotation_date')])).toContain('2026-12-30T00:00:00.000Z');
    for (const r of body) {
      expect(r[col('controls')]).toBe('CIS 7.0.0 4.6; APRA CPS 234 para 21; MAS TRM 2021 10.2; NIST 800-53r5 SC-12, SC-12(2), SC-28(3)');
      expect(r[col('evaluated_at')]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    for (const r of byStatus('FAIL')) expect(r[col('remediation')]).toBe(`aws kms enable-key-rotation --region ${r[col('region')]} --key-id ${r[col('key_id')]}${r[col('rotation_period_days')] === '730' ? ' --rotation-period-in-days 365' : ''}`);
    for (const s of ['PASS', 'ERROR', 'NOT_APPLICABLE', 'EXCEPTION']) for (const r of byStatus(s)) expect(r[col('remediation')]).toBe('');
    for (const r of byStatus('ERROR')) expect(r[col('reason')]).toMatch(/Exception|Error/);
    expect(byStatus('EXCEPTION')[0]![col('exception_id')]).toBe('EXC-2026-014');
    expect(byStatus('PASS').some((r) => r[col('description')] === '')).toBe(true);
  });

  it('writes the creation date, and leaves owner and managed_by empty when the scan was not asked for them', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    const [header, ...body] = rows;
    const col = (name: string): number => header!.indexOf(name);
    for (const r of body) {
      expect(r[col('creation_date')]).toBe('2024-03-01T10:00:00.000Z');
      expect([r[col('owner')], r[col('managed_by')]]).toEqual(['', '']);
    }
  });

  it('fills owner and managed_by from the tags the scan was asked to read; tags read for some keys only do not', async () => {
    const dir = await tempDir();
    const resultsPath = join(dir, 'results.json');
    const tagsByCase: (Record<string, string> | null)[] = [
      { owner: 'payments-team', 'aws:cloudformation:stack-name': 'kms-prod', ManagedBy: 'terraform' },
      { owner: '=HYPERLINK("http://evil.example","x")', ManagedBy: 'terraform' },
      { Owner: 'wrong-case', 'aws:cloudformation:stack-name': '+stack' },
      null,
    ];
    const keys = [...fixtureKeys()].map((key, i) => ({ ...key, tags: tagsByCase[i % tagsByCase.length]! }));
    const base = fixtureHeader();
    await writeResultsDocument(resultsPath, { ...base, parameters: { ...base.parameters, ownerTag: 'owner', managedByTag: 'ManagedBy' } }, keys);
    await writeReports({ resultsPath, outDir: dir, frameworks: await loadFrameworks({}) });
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    const [header, ...body] = rows;
    const people = body.map((r) => [r[header!.indexOf('owner')], r[header!.indexOf('managed_by')]]);
    expect(people.slice(0, 4)).toEqual([
      ['payments-team', 'aws:cloudformation:stack-name=kms-prod; ManagedBy=terraform'],
      [`'=HYPERLINK("http://evil.example","x")`, 'ManagedBy=terraform'],
      ['', `aws:cloudformation:stack-name=+stack`],
      ['', ''],
    ]);

    // The same tags without the options (read for an exception scope on failing keys only): the columns stay empty.
    await writeResultsDocument(resultsPath, base, keys);
    await writeReports({ resultsPath, outDir: dir, frameworks: await loadFrameworks({}) });
    const again = (await readCsv(join(dir, 'findings.csv'))).rows;
    for (const r of again.slice(1)) expect([r[again[0]!.indexOf('owner')], r[again[0]!.indexOf('managed_by')]]).toEqual(['', '']);
  });

  it('matches the golden file for the small fixture', async () => {
    const { dir } = await renderFixture();
    const actual = await readFile(join(dir, 'findings.csv'), 'utf8');
    if (process.env.UPDATE_GOLDEN) await writeFile(GOLDEN, actual);
    expect(actual).toBe(await readFile(GOLDEN, 'utf8'));
  });

  it('refuses keys out of order or duplicated, and leaves no findings.csv or manifest behind', async () => {
    const dir = await tempDir();
    const resultsPath = join(dir, 'results.json');
    const keys = [...fixtureKeys()];
    [keys[3], keys[4]] = [keys[4]!, keys[3]!];
    await writeResultsDocument(resultsPath, fixtureHeader(), keys);
    const frameworks = await loadFrameworks({});
    const err = await writeReports({ resultsPath, outDir: dir, frameworks }).catch((e: unknown) => e);
    // Refused as the document is read (a results file is untrusted input), naming the line.
    expect(err).toBeInstanceOf(UsageError);
    expect(String(err)).toMatch(/results\.json:7: key "[^"]+" is out of order \(after "[^"]+"\); keys are sorted by account, region and key id/);
    await expect(readFile(join(dir, 'findings.csv'))).rejects.toThrow();
    await expect(readFile(join(dir, 'manifest.json'))).rejects.toThrow();

    const dup = [...fixtureKeys()];
    dup.splice(2, 0, dup[1]!);
    await writeResultsDocument(resultsPath, fixtureHeader(), dup);
    await expect(writeReports({ resultsPath, outDir: dir, frameworks })).rejects.toThrow(/results\.json:5: key "[^"]+" is given twice/);
  });
});
