/**
 * report.pdf sections from issues #5 and #6: the exceptions register (from header.extensions.exceptions)
 * and "Changes since <date>" (against a previous run, counts matching changes.csv), plus the fonts and
 * determinism of that document.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { CHANGE_KINDS } from '../../src/report/changes.js';
import { writeReports } from '../../src/report/index.js';
import { CHANGE_LABELS } from '../../src/report/pdf/sections/changes.js';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { fixtureHeader, fixtureKeys, writeFixture } from '../fixtures/results-fixture.js';
import { readCsv, renderFixture, run, tempDir } from './helpers.js';
import { REGISTER_FILE, REGISTER_SOURCE, writeRegisterFixture, type RegisterFixture } from './register-fixture.js';

const flat = (s: string): string => s.replace(/\s+/g, ' ');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const keyIdOf = (arn: string): string => arn.split('/').pop()!;

/** The text between two headings (the first `from` after `after`, up to the next `to`). */
function between(text: string, from: string, to: string, after = 0): string {
  const start = text.indexOf(from, after);
  expect(start, from).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(to, start + from.length);
  return text.slice(start, end < 0 ? undefined : end);
}

function outline(pdf: string): string[] {
  return (JSON.parse(run('qpdf', ['--json', '--json-key=outlines', pdf])) as { outlines: { title: string }[] }).outlines.map((o) => o.title);
}

async function changeRows(dir: string): Promise<string[][]> {
  return (await readCsv(join(dir, 'changes.csv'))).rows.slice(1);
}

describe('report.pdf with an exceptions register and a previous run', () => {
  let dir: string;
  let prev: string;
  let fixture: RegisterFixture;
  /** pdftotext -layout (rows on one line), and raw (each table cell's lines together). */
  let text: string;
  let raw: string;
  let pdf: string;

  beforeAll(async () => {
    dir = await tempDir();
    fixture = await writeRegisterFixture(join(dir, 'results.json'));
    prev = join(await tempDir(), 'previous-results.json');
    await writeFixture(prev, { previous: true });
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}), previousResultsPath: prev, now: new Date('2026-11-28T03:00:00Z') });
    pdf = join(dir, 'report.pdf');
    text = flat(run('pdftotext', ['-layout', pdf, '-']));
    raw = flat(run('pdftotext', [pdf, '-']));
  });

  it('bookmarks the changes section after the summary and the register after the failing keys', () => {
    expect(outline(pdf)).toEqual([
      'Cover', 'Sign-off and contents', 'Executive summary', 'Changes since 2026-08-28 02:10 UTC', 'Control mapping', 'Failing and error keys', 'Exceptions register',
      'Coverage statement', 'Methodology', 'Remediation guidance', 'Population appendix', 'Integrity appendix',
    ]);
  });

  describe('exceptions register section', () => {
    let section: string;
    beforeAll(() => {
      section = between(raw, 'Exceptions register Approved', 'Coverage statement');
    });

    it('lists every entry with approver, ticket, dates and reason', () => {
      for (const entry of fixture.register.entries) {
        for (const value of [entry.id, entry.approver, entry.ticket, entry.created, entry.expires]) expect(section, value).toContain(value);
      }
      // Cited by the name it was given and its digest, never by the path of the machine that ran the scan.
      expect(section).toContain(`Register file exceptions.yaml, 1,873 bytes, SHA-256 ${REGISTER_FILE.sha256}`);
      expect(section).not.toContain(REGISTER_SOURCE);
      expect(section).toContain('3: 1 active, 1 expiring within 30 days, 1 expired; 1 unused');
      expect(section).toMatch(/accounts: 999999999999/);
      expect(section).toMatch(/aliases: alias\/-minus/);
    });

    it('shows the approval date, risk owner and compensating control, and says when they are not recorded', () => {
      expect(section).toMatch(/Vendor appliance pins the key material Compensating control: Appliance re-wraps data keys every 90 days/);
      expect(section).toMatch(/payments\.lead@example\.com approved 2026-03-28 risk owner: Head of Payments/);
      expect(section).toMatch(/risk\.officer@example\.com approval date not recorded risk owner not recorded/);
    });

    it('flags wildcard scopes with the keys they cover now; an entry naming its keys is not flagged', () => {
      expect(section).toMatch(
        /Wildcard scopes: EXC-2026-009 \(any key with an alias matching alias\/-minus\) covers 1 failing key now; EXC-2026-020 \(any key in 1 account\) covers 0 failing keys now\./,
      );
      expect(section).toMatch(/EXC-2026-009 WILDCARD: also covers keys added later aliases: alias\/-minus/);
      expect(section).toMatch(/EXC-2026-020 WILDCARD: also covers keys added later accounts: 999999999999/);
      expect(section).not.toMatch(/EXC-2026-014 WILDCARD/);
    });

    it('marks the expired and the unused entry, and the one expiring soon', () => {
      expect(section).toMatch(/EXC-2026-009 WILDCARD: also covers keys added later aliases: alias\/-minus .* 2026-10-31 EXPIRED 28 days ago 1 key \(stay FAIL\)/);
      expect(section).toMatch(/EXC-2026-020 WILDCARD: also covers keys added later accounts: 999999999999 .* 2026-12-10 EXPIRING in 12 days UNUSED matched no failing key/);
      expect(section).toMatch(/EXC-2026-014 .* 2027-03-31 active 2 keys \(EXCEPTION\)/);
      expect(section).toMatch(/UNUSED matched no failing key/);
      expect(section).toMatch(/2 keys \(EXCEPTION\)/);
      expect(section).toMatch(/1 key \(stay FAIL\)/);
    });

    it('says that FAIL keys under an expired entry stay FAIL', () => {
      expect(section).toContain('a FAIL key matched only by an expired entry stays FAIL');
      expect(section).toMatch(/Expired: EXC-2026-009 \(expired 2026-10-31\) matched 1 failing key\. These keys stay FAIL/);
    });

    it('lists the keys each entry matched and how they are reported', () => {
      for (const arn of fixture.arns.active) expect(section).toMatch(new RegExp(`EXC-2026-014 .*${escape(keyIdOf(arn))}`));
      expect(section.match(/EXCEPTION until 2027-03-31/g)).toHaveLength(2);
      expect(section).toContain(keyIdOf(fixture.arns.expired[0]!));
      expect(section).toContain('FAIL: the entry expired on 2026-10-31');
    });

    it('keeps the expired entry’s key in the failing keys, with the expiry in its reason', () => {
      const failing = between(raw, 'Failing and error keys Keys that failed', 'Exceptions register Approved');
      expect(failing).toContain(keyIdOf(fixture.arns.expired[0]!));
      expect(failing).toMatch(/Exception EXC-2026-009 .*expired on 2026-10-31/);
    });

    it('counts the EXCEPTION keys per control (controls.csv and each framework table agree)', async () => {
      const controls = (await readCsv(join(dir, 'controls.csv'))).rows;
      const exc = controls[0]!.indexOf('exception');
      expect(exc).toBeGreaterThan(0);
      expect(new Set(controls.slice(1).map((r) => r[exc]))).toEqual(new Set(['2']));
      // Control table rows: id, title, status, then PASS FAIL EXC. ERROR N/A.
      const mapping = between(text, 'Control mapping', 'Failing and error keys Keys that failed');
      const rows = [...mapping.matchAll(/not met (\d+) (\d+) (\d+) (\d+) (\d+)/g)];
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const row of rows) expect(row[3]).toBe('2');
    });
  });

  describe('changes section', () => {
    let section: string;
    beforeAll(() => {
      section = between(text, 'Changes since 2026-08-28 02:10 UTC This run', 'Control mapping');
    });

    it('shows every change count of changes.csv', async () => {
      const rows = await changeRows(dir);
      expect(rows.length).toBeGreaterThan(0);
      for (const kind of CHANGE_KINDS) {
        const [label, meaning] = CHANGE_LABELS[kind];
        const count = rows.filter((r) => r[0] === kind).length;
        expect(section, kind).toMatch(new RegExp(`${escape(label)} ${escape(meaning)} ${count}\\b`));
      }
      expect(section).toMatch(new RegExp(`Total changed ${rows.length}\\b`));
      expect(section).toContain('scan scan-20260828T020600Z-prev');
    });

    it('draws the trend chart and the counts by status then and now', () => {
      expect(section).toContain('Keys by status, previous run and this run');
      expect(section).toContain('previous run (light)');
      expect(section).toContain('this run (full colour)');
      expect(section).toMatch(/Status Previous run This run Change PASS \d+ \d+ [+-]?\d+ FAIL \d+ \d+ [+-]?\d+/);
    });

    it('lists the newly failing keys with account, region, key id and reason', async () => {
      const newlyFailing = (await changeRows(dir)).filter((r) => r[0] === 'newly_failing');
      expect(newlyFailing.length).toBeGreaterThan(0);
      const list = between(section, 'Newly failing keys', 'Control mapping');
      for (const [, accountId, region, keyId] of newlyFailing) {
        expect(list).toMatch(new RegExp(`${accountId} .*${escape(region!)} .*${escape(keyId!)}`));
      }
      expect(list).toContain('Automatic key rotation is disabled');
    });

    it('leaves one pointer sentence in the executive summary instead of the counts', async () => {
      const summary = between(text, 'Executive summary', 'Changes since 2026-08-28 02:10 UTC This run');
      const newlyFailing = (await changeRows(dir)).filter((r) => r[0] === 'newly_failing').length;
      expect(summary).toMatch(new RegExp(`Since the previous run \\(scan scan-20260828T020600Z-prev\\): ${newlyFailing} keys? newly failing`));
      expect(summary).toContain('the section “Changes since 2026-08-28 02:10 UTC” gives every count');
      expect(summary).not.toContain('Key-by-key changes');
      expect(summary).not.toContain('Previous run This run');
    });
  });

  it('points failing keys at the remediation plan', () => {
    const failing = between(text, 'Failing and error keys Keys that failed', 'Exceptions register Approved');
    expect(failing).toContain('"kms-rotation-audit remediate --from results.json" turns this scan into one script per account (remediate-ACCOUNT.sh) and remediation-plan.csv');
    expect(failing).toMatch(/dry run by default; with --apply .* separate write role .*never the read role.* audit log \(remediation-audit\.jsonl\)/);
    const guidance = between(text, 'Remediation guidance Automatic rotation', 'Integrity appendix');
    expect(guidance).toContain('Remediation plan for every failing key');
    expect(guidance).toContain('kms-rotation-audit remediate --from results.json --apply');
    expect(guidance).toContain('remediation/remediation-plan.csv');
  });

  it('embeds the Noto Sans fonts only (OFL), subsetted', () => {
    const lines = run('pdffonts', [pdf]).trim().split('\n').slice(2);
    expect(lines.map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSans-Bold', 'NotoSans-Regular', 'NotoSansMono-Regular']);
    for (const line of lines) expect(line).toMatch(/^[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  });

  it('passes qpdf --check and renders byte-identical again', async () => {
    expect(run('qpdf', ['--check', pdf])).toMatch(/No syntax or stream encoding errors found/);
    const again = join(await tempDir(), 'again');
    await mkdir(again);
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: again, frameworks: await loadFrameworks({}), previousResultsPath: prev });
    expect((await readFile(join(again, 'report.pdf'))).equals(await readFile(pdf))).toBe(true);
  });
});

describe('report.pdf without a register or a previous run', () => {
  it('says in one line that no register was used, lists the EXCEPTION keys, and has no changes section', async () => {
    const { dir } = await renderFixture();
    const pdf = join(dir, 'report.pdf');
    const text = flat(run('pdftotext', ['-layout', pdf, '-']));
    expect(outline(pdf)).not.toContainEqual(expect.stringMatching(/^Changes since/));
    expect(outline(pdf)).toContain('Exceptions register');
    expect(text).toContain('No exceptions register was used for this scan.');
    expect(text).toMatch(/Keys under an approved exception .*EXC-2026-014/);
    expect(text).toContain('No previous run was given');
  });

  it('without EXCEPTION keys either, the one line follows the failing keys instead of taking a page', async () => {
    const dir = await tempDir();
    const results = join(dir, 'results.json');
    await writeResultsDocument(results, fixtureHeader(), [...fixtureKeys()].filter((k) => k.status !== 'EXCEPTION'));
    await writeReports({ resultsPath: results, outDir: dir, frameworks: await loadFrameworks({}) });
    const pdf = join(dir, 'report.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]))![1]);
    const pageTexts = Array.from({ length: pages }, (_, i) => flat(run('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), pdf, '-'])));
    const page = pageTexts.find((t) => t.includes('No exceptions register was used'))!;
    expect(page).toContain('No exceptions register was used for this scan.');
    expect(page).toContain('aws kms enable-key-rotation'); // the end of the failing keys table
    expect(page).not.toContain('Keys under an approved exception');
  });
});

describe('bounds and bad input', () => {
  it('caps the newly failing list and points to changes.csv for the rest', async () => {
    const prev = join(await tempDir(), 'previous-results.json');
    await writeFixture(prev, { previous: true, keys: 1500 });
    const { dir } = await renderFixture({ keys: 1500 }, { previousResultsPath: prev, maxDetailRows: 10 });
    const newlyFailing = (await changeRows(dir)).filter((r) => r[0] === 'newly_failing');
    expect(newlyFailing.length).toBeGreaterThan(10);
    const text = flat(run('pdftotext', [join(dir, 'report.pdf'), '-']));
    expect(text).toContain(`${newlyFailing.length - 10} more newly failing keys are not listed here, to keep this document readable: changes.csv lists every one.`);
    expect(text).toContain(newlyFailing[9]![3]!);
    expect(text).not.toContain(newlyFailing[10]![3]!.slice(0, 20));
  });

  it('a damaged register summary in the results fails before anything is written, naming the file and key', async () => {
    const dir = await tempDir();
    const results = join(dir, 'results.json');
    await writeRegisterFixture(results);
    const doc = JSON.parse(await readFile(results, 'utf8')) as { header: { extensions: { exceptions: { entries: { expires: unknown }[] } } } };
    doc.header.extensions.exceptions.entries[1]!.expires = 20261031;
    await writeFile(results, JSON.stringify(doc));
    const out = join(dir, 'out');
    await expect(writeReports({ resultsPath: results, outDir: out, frameworks: await loadFrameworks({}) })).rejects.toThrow(
      /results\.json: header\.extensions\.exceptions\.entries(\[1\]|\.1)\.expires: /,
    );
    await expect(readFile(join(out, 'report.pdf'))).rejects.toThrow(/ENOENT/);
  });
});
