import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { applyExceptions } from '../../src/exceptions/match.js';
import { EXCEPTIONS_COLUMNS, exceptionsSummary, writeExceptionsCsv } from '../../src/exceptions/report.js';
import { createExceptionUsage } from '../../src/exceptions/usage.js';
import type { ExceptionEntry, ExceptionRegister } from '../../src/exceptions/types.js';
import { ACCOUNT, KEY_ARN, failKey } from './helpers.js';

const now = new Date('2026-06-01T12:00:00Z');

function entry(id: string, fields: Partial<ExceptionEntry>): ExceptionEntry {
  return { id, scope: { accounts: [ACCOUNT] }, reason: 'reason', approver: 'jane.doe@example.com', ticket: 'SEC-1', created: '2026-01-15', expires: '2026-12-31', line: null, ...fields };
}

function scenario() {
  const register: ExceptionRegister = {
    source: 'exceptions.yaml',
    maxDays: 365,
    entries: [
      entry('EX-ACTIVE', { scope: { aliases: ['alias/legacy-*'] }, reason: '=HYPERLINK("http://evil")', approved: '2026-01-10', riskOwner: 'Head of Payments', compensatingControl: '@vendor re-wraps keys' }),
      entry('EX-SOON', { scope: { keys: [KEY_ARN] }, expires: '2026-07-01' }),
      entry('EX-EXPIRED', { scope: { accounts: ['222233334444'] }, created: '2025-06-01', expires: '2026-05-31' }),
      entry('EX-UNUSED', { scope: { ous: ['ou-ab12-nothing0'] } }),
    ],
  };
  const keys = [
    failKey(),
    failKey({ keyId: 'b-key', keyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/b-key`, region: 'us-east-1', aliases: ['alias/legacy-2', '+cmd'] }),
    failKey({ accountId: '222233334444', keyId: 'c-key', keyArn: 'arn:aws:kms:eu-west-1:222233334444:key/c-key', aliases: [] }),
    failKey({ status: 'PASS', keyId: 'd-key', keyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/d-key` }),
  ];
  const usage = createExceptionUsage(register);
  const judged = keys.map((key) => applyExceptions(key, register, now, usage));
  return { register, usage, judged };
}

describe('exceptionsSummary', () => {
  it('gives every entry its state, unused flag and covered keys, JSON-serialisable', () => {
    const { register, usage, judged } = scenario();
    expect(judged.map((k) => k.status)).toEqual(['EXCEPTION', 'EXCEPTION', 'FAIL', 'PASS']);
    const summary = exceptionsSummary(register, usage, now);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.counts).toEqual({ entries: 4, active: 2, expiringSoon: 1, expired: 1, unused: 1, keysCovered: 3 });
    expect(summary.entries.map((e) => [e.id, e.state, e.unused, e.keysCovered])).toEqual([
      ['EX-ACTIVE', 'active', false, 2],
      ['EX-SOON', 'expiring-soon', false, 1],
      ['EX-EXPIRED', 'expired', false, 1],
      ['EX-UNUSED', 'active', true, 0],
    ]);
    expect(summary.entries[2]!.keyArns).toEqual(['arn:aws:kms:eu-west-1:222233334444:key/c-key']);
    expect(summary).toMatchObject({ source: 'exceptions.yaml', file: null, maxDays: 365, expiringSoonDays: 30, evaluatedAt: '2026-06-01T12:00:00.000Z' });
    expect(summary.entries.map((e) => [e.approved, e.riskOwner, e.compensatingControl])).toEqual([
      ['2026-01-10', 'Head of Payments', '@vendor re-wraps keys'],
      [null, null, null],
      [null, null, null],
      [null, null, null],
    ]);
  });

  it('cites the register by its base name and digest, never the path it was read from', () => {
    const file = { name: 'exceptions.yaml', bytes: 120, sha256: 'a'.repeat(64) };
    const register: ExceptionRegister = { source: '/tmp/kms-rotation-audit-demo-x1/exceptions.yaml', file, maxDays: 365, entries: [] };
    const summary = exceptionsSummary(register, createExceptionUsage(register), now);
    expect(summary.source).toBe('exceptions.yaml');
    expect(summary.file).toEqual(file);
    expect(JSON.stringify(summary)).not.toContain('/tmp/');
  });

  it('says how many ARNs were left out past the cap', () => {
    const register: ExceptionRegister = { source: 'x', maxDays: 365, entries: [entry('EX-1', {})] };
    const usage = createExceptionUsage(register, { maxKeysPerEntry: 1 });
    for (const id of ['a', 'b', 'c']) applyExceptions(failKey({ keyId: id, keyArn: `${KEY_ARN}-${id}` }), register, now, usage);
    const [summaryEntry] = exceptionsSummary(register, usage, now).entries;
    expect(summaryEntry).toMatchObject({ keysCovered: 3, keyArns: [`${KEY_ARN}-a`], keyArnsOmitted: 2 });
  });
});

describe('writeExceptionsCsv', () => {
  async function csv(withKeys: boolean): Promise<{ text: string; rows: string[][]; dir: string }> {
    const { register, usage, judged } = scenario();
    const dir = await mkdtemp(join(tmpdir(), 'kra-exceptions-csv-'));
    const path = join(dir, 'exceptions.csv');
    await writeExceptionsCsv(path, exceptionsSummary(register, usage, now), withKeys ? judged : undefined);
    const text = await readFile(path, 'utf8');
    return { text, rows: parse(text, { bom: true }) as string[][], dir };
  }

  it('writes one row per entry and covered key, an empty-key row for an unused entry, RFC 4180 with a BOM, formulas neutralised', async () => {
    const { text, rows, dir } = await csv(true);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.split('\r\n').length).toBe(rows.length + 1);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(rows[0]).toEqual([...EXCEPTIONS_COLUMNS]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[8], r[9], r[10], r[12]])).toEqual([
      ['EX-ACTIVE', 'active', 'false', ACCOUNT, 'eu-west-1', '1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/legacy-vendor; alias/payments'],
      ['EX-ACTIVE', 'active', 'false', ACCOUNT, 'us-east-1', 'b-key', 'alias/legacy-2; +cmd'],
      ['EX-SOON', 'expiring-soon', 'false', ACCOUNT, 'eu-west-1', '1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/legacy-vendor; alias/payments'],
      ['EX-EXPIRED', 'expired', 'false', '222233334444', 'eu-west-1', 'c-key', ''],
      ['EX-UNUSED', 'active', 'true', '', '', '', ''],
    ]);
    expect(rows[1]![7]).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows[1]!.slice(3, 7)).toEqual(['jane.doe@example.com', 'SEC-1', '2026-01-15', '2026-12-31']);
    // The appended columns: scope as written, whether it is a wildcard, and the optional entry fields (text neutralised).
    expect(rows.slice(1).map((r) => r.slice(13))).toEqual([
      ['aliases: alias/legacy-*', 'true', '2026-01-10', 'Head of Payments', `'@vendor re-wraps keys`],
      ['aliases: alias/legacy-*', 'true', '2026-01-10', 'Head of Payments', `'@vendor re-wraps keys`],
      [`keys: ${KEY_ARN}`, 'false', '', '', ''],
      ['accounts: 222233334444', 'true', '', '', ''],
      ['ous: ou-ab12-nothing0', 'true', '', '', ''],
    ]);
    expect((await readdir(dir)).sort()).toEqual(['exceptions.csv']); // no temp file left behind
  });

  it('falls back to the summary ARNs without the keys', async () => {
    const { rows } = await csv(false);
    expect(rows.slice(1).map((r) => [r[0], r[8], r[9], r[10], r[11]])).toEqual([
      ['EX-ACTIVE', ACCOUNT, 'eu-west-1', '1234abcd-12ab-34cd-56ef-1234567890ab', KEY_ARN],
      ['EX-ACTIVE', ACCOUNT, 'us-east-1', 'b-key', `arn:aws:kms:us-east-1:${ACCOUNT}:key/b-key`],
      ['EX-SOON', ACCOUNT, 'eu-west-1', '1234abcd-12ab-34cd-56ef-1234567890ab', KEY_ARN],
      ['EX-EXPIRED', '222233334444', 'eu-west-1', 'c-key', 'arn:aws:kms:eu-west-1:222233334444:key/c-key'],
      ['EX-UNUSED', '', '', '', ''],
    ]);
  });
});
