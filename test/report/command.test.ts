import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/commands/report.js';
import { UsageError } from '../../src/errors.js';
import { defaultReportTemplatesDir } from '../../src/report/templates.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { readCsv, run, tempDir } from './helpers.js';

// The synthetic fixture holds two keys whose stored status its facts do not give (an EXCEPTION with no
// register recorded, a disabled key FAIL under evaluateDisabled false): re-render it as it is.
// The refusal itself is tested in test/evidence/rejudge.test.ts.
const FIXTURE_AS_IS = { allowTampered: true };

describe('report command', () => {
  it('re-renders next to the results file when --out is absent', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    const result = await runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')] });
    expect(result.outDir).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['controls.csv', 'coverage.csv', 'findings.csv', 'manifest.json', 'report.pdf', 'results.json']);
    expect(result.pages).toBeGreaterThan(5);
  });

  it('honours --out, --previous, --frameworks, --cis-version and --controls', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    await writeFixture(join(dir, 'old.json'), { previous: true });
    const controls = join(dir, 'controls.yaml');
    await writeFile(controls, 'schemaVersion: 1\nframeworks:\n  - id: cis\n    versions:\n      - version: 1.4.0\n        controls:\n          - { id: "3.8", title: Our CIS wording, confidence: high, source: internal }\n');
    const out = join(dir, 'out');
    await runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], out, previous: join(dir, 'old.json'), frameworks: ['cis', 'pci'], cisVersion: '1.4.0', controls });
    const { rows } = await readCsv(join(out, 'controls.csv'));
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['CIS Amazon Web Services Foundations Benchmark', '1.4.0', '3.8', 'Our CIS wording'],
      ['PCI DSS', '4.0.1', '3.7.4', 'Cryptographic key changes for keys that have reached the end of their cryptoperiod are defined and implemented'],
    ]);
    const text = run('pdftotext', [join(out, 'report.pdf'), '-']);
    expect(text).toContain('scan-20260828T020600Z-prev');
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { previousResults: { scanId: string } };
    expect(manifest.previousResults.scanId).toBe('scan-20260828T020600Z-prev');
  });

  it('refuses several files that cannot be read (several files are shard parts to merge: test/shard), none, or --previous = --from', async () => {
    await expect(runReportCommand({ from: ['/nonexistent/a.json', '/nonexistent/b.json'] })).rejects.toThrow(/\/nonexistent\/a\.json: cannot read results document/);
    await expect(runReportCommand({ from: [] })).rejects.toBeInstanceOf(UsageError);
    await expect(runReportCommand({ from: ['/x/results.json'], previous: '/x/results.json' })).rejects.toThrow(/same file/);
    await expect(runReportCommand({ from: ['/nonexistent/results.json'] })).rejects.toThrow(/\/nonexistent\/results\.json: cannot read results document/);
  });

  it('uses branding from a templates folder and validates it', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    const templates = join(dir, 'templates');
    await cp(defaultReportTemplatesDir, templates, { recursive: true });
    const branding = await readFile(join(templates, 'branding.yaml'), 'utf8');
    await writeFile(join(templates, 'branding.yaml'), branding.replace('Example Organisation', 'Acme Bank & Trust <AU>').replace('CONFIDENTIAL', 'INTERNAL USE ONLY'));
    await runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], templatesDir: templates });
    const text = run('pdftotext', [join(dir, 'report.pdf'), '-']);
    expect(text).toContain('Acme Bank & Trust <AU>');
    expect(text).toContain('INTERNAL USE ONLY');
    expect(run('pdfinfo', [join(dir, 'report.pdf')])).toMatch(/Author:\s+Acme Bank and Trust AU/);
    run('qpdf', ['--check', join(dir, 'report.pdf')]);

    await writeFile(join(templates, 'branding.yaml'), branding.replace('"#1F4E79"', 'blue'));
    await expect(runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/branding\.yaml: accentColor: expected a colour/);
    await writeFile(join(templates, 'branding.yaml'), branding.replace('logo: logo.png', 'logo: logo.svg'));
    await expect(runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/branding\.yaml: logo: expected a \.png or \.jpg/);
    await writeFile(join(templates, 'branding.yaml'), branding);
    const text2 = await readFile(join(templates, 'text.yaml'), 'utf8');
    await writeFile(join(templates, 'text.yaml'), text2.replace('{maxRotationDays} days.\n', '{maxRotationDay} days.\n'));
    await expect(runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/text\.yaml: summary\[0\]: unknown placeholder \{maxRotationDay\}/);
    await writeFile(join(templates, 'text.yaml'), text2 + 'extra:\n  - p: x\n');
    await expect(runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/text\.yaml: \(top level\): Unrecognized key: "extra"/);
  });
});
