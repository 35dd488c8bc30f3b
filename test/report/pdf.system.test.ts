import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { renderFixture, run, tempDir } from './helpers.js';

let dir: string;
let pages: number;
let text: string;

beforeAll(async () => {
  const prev = join(await tempDir(), 'previous-results.json');
  await writeFixture(prev, { previous: true });
  ({ dir, pages } = await renderFixture({}, { previousResultsPath: prev }));
  text = run('pdftotext', ['-layout', join(dir, 'report.pdf'), '-']);
});

describe('report.pdf', () => {
  it('passes qpdf --check', () => {
    // execFileSync throws on a non-zero exit (2 errors, 3 warnings)
    const out = run('qpdf', ['--check', join(dir, 'report.pdf')]);
    expect(out).toMatch(/No syntax or stream encoding errors found/);
  });

  it('embeds every font (Noto Sans subsets only, never a standard 14 font)', () => {
    const lines = run('pdffonts', [join(dir, 'report.pdf')]).trim().split('\n').slice(2);
    expect(lines.length).toBe(3);
    for (const line of lines) {
      expect(line).toMatch(/^[A-Z]{6}\+NotoSans(-Regular|-Bold|Mono-Regular)\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    }
  });

  it('identifies as PDF/A-3b, tagged, with metadata and dates from the scan', () => {
    const info = run('pdfinfo', ['-meta', join(dir, 'report.pdf')]);
    expect(info).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    expect(info).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(info).toMatch(/<xmp:CreateDate>2026-11-28T02:14:37Z<\/xmp:CreateDate>/);
    const plain = run('pdfinfo', [join(dir, 'report.pdf')]);
    expect(plain).toMatch(/Tagged:\s+yes/);
    expect(plain).toMatch(/Title:\s+AWS KMS Key Rotation Audit: scan-20261128T021025Z-fixture/);
    expect(plain).toMatch(/Author:\s+Example Organisation/);
    expect(plain).toMatch(/CreationDate:\s+Sat Nov 28 02:14:37 2026 UTC/);
    expect(plain).toMatch(/PDF version:\s+1\.7/);
    expect(plain).toMatch(new RegExp(`Pages:\\s+${pages}\\b`));
  });

  it('has a bookmark per section and per framework', () => {
    const json = JSON.parse(run('qpdf', ['--json', '--json-key=outlines', join(dir, 'report.pdf')])) as { outlines: { title: string; kids: { title: string }[] }[] };
    expect(json.outlines.map((o) => o.title)).toEqual([
      'Cover', 'Sign-off and contents', 'Executive summary', 'Changes since 2026-08-28 02:10 UTC', 'Control mapping', 'Failing and error keys', 'Exceptions register',
      'Coverage statement', 'Methodology', 'Remediation guidance', 'Population appendix', 'Integrity appendix',
    ]);
    expect(json.outlines[4]!.kids.map((k) => k.title)).toEqual([
      'CIS AWS Foundations Benchmark v7.0.0', 'APRA CPS 234 (effective 1 July 2019), with CPG 234 guidance', 'MAS TRM Guidelines (January 2021)', 'NIST SP 800-53 Revision 5',
    ]);
  });

  it('contains the text of every section', () => {
    for (const expected of [
      'CONFIDENTIAL', 'Organization', 'o-exampleorg1', 'management account', 'Snapshot time', '2026-11-28 02:14:37 UTC', 'This is a point-in-time test.', 'kms-rotation-audit 0.1.0', 'KmsRotationAuditRead',
      'Sign-off and contents', 'Prepared by', 'Reviewed by', 'Approved by', 'Contents',
      'Executive summary', 'Compliance share of keys under the rule', 'Failing and error keys by account', 'Failing rate by organizational unit (rolled up)', 'Trend against the previous run', 'scan-20260828T020600Z-prev',
      'Changes since 2026-08-28 02:10 UTC', 'Key-by-key changes', 'Keys by status, previous run and this run', 'Newly failing keys',
      'Control mapping', '4.6', 'SC-12(2)', 'SC-28(3)', 'para', 'CPG 234', '10.2', 'interpretive', 'What the check verifies',
      'Failing and error keys', 'aws kms enable-key-rotation', '--rotation-period-in-days 365', 'AccessDeniedException',
      'remediation-plan.csv', 'remediate --from results.json',
      'Exceptions register', 'No exceptions register was used for this scan.', 'Keys under an approved exception', 'EXC-2026-014',
      'Coverage statement', 'legacy-sandbox', 'sts:AssumeRole', 'ap-east-1', 'ThrottlingException',
      'Methodology', 'kms:GetKeyRotationStatus', 'AWS API calls made', 'Permissions used by this run', 'Run finished', 'Population appendix',
      'Remediation guidance', 'EnableKeyRotation', 'RotationPeriodInDays', 'enable_key_rotation', 'rotation_period_in_days', 'Key rotation tab',
      'Integrity appendix', 'SHA-256', 'findings.csv', 'results.json',
    ]) {
      expect(text, expected).toContain(expected);
    }
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).toContain(`Page ${pages} of ${pages}`);
  });

  it('prints the SHA-256 of findings.csv and results.json from the folder', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string }[] };
    for (const name of ['findings.csv', 'results.json']) {
      const sha = manifest.files.find((f) => f.name === name)!.sha256;
      expect(text).toContain(sha); // on one line, not wrapped
    }
  });

  it('writes characters the fonts lack as [U+XXXX], and control characters as U+FFFD', () => {
    expect(text).toContain('[U+6C7A][U+6E08]'); // 決済 in an account name
    expect(text).toContain('alias/[U+FF1D]wide'); // full-width equals in an alias
    expect(text).toContain('alias/\uFFFDspoof\uFFFD'); // bidi override and BEL
    // eslint-disable-next-line no-control-regex -- the raw control characters must be gone
    expect(text).not.toMatch(/[\u0007\u001b\u202e]/);
  });

  it('cuts an over-long cell with an explicit statement, never silently', () => {
    expect(text).toMatch(/cut here; full text in\s+findings\.csv/);
  });

  it('embeds findings.csv and coverage.csv as attachments identical to the files', async () => {
    const out = await tempDir();
    run('pdfdetach', ['-saveall', '-o', out, join(dir, 'report.pdf')]);
    expect((await readdir(out)).sort()).toEqual(['coverage.csv', 'findings.csv']);
    for (const name of ['findings.csv', 'coverage.csv']) expect((await readFile(join(out, name))).equals(await readFile(join(dir, name))), name).toBe(true);
  });

  it('writes changes.csv against the previous run and shows its counts', async () => {
    const rows = (await readFile(join(dir, 'changes.csv'), 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    const newlyFailing = rows.filter((row) => row.startsWith('newly_failing,')).length;
    expect(text).toMatch(new RegExp(`Newly failing\\s+FAIL now, another status then\\s+${newlyFailing}\\b`));
  });

  it('is byte-identical when rendered again from the same results', async () => {
    const again = join(await tempDir(), 'again');
    await mkdir(again);
    const prev = join(await tempDir(), 'previous-results.json');
    await writeFixture(prev, { previous: true });
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: again, frameworks: await loadFrameworks({}), previousResultsPath: prev });
    expect((await readFile(join(again, 'report.pdf'))).equals(await readFile(join(dir, 'report.pdf')))).toBe(true);
  });
});
