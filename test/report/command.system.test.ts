/** report command checks that read the PDF with poppler (pdftotext, pdfinfo) and qpdf: `npm run test:system`. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { defaultReportTemplatesDir } from '../../src/report/templates.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { readCsv, run, tempDir } from './helpers.js';

describe('report command (system tools)', () => {
  it('honours --out, --previous, --frameworks, --cis-version and --controls', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    await writeFixture(join(dir, 'old.json'), { previous: true });
    const controls = join(dir, 'controls.yaml');
    await writeFile(controls, 'schemaVersion: 1\nframeworks:\n  - id: cis\n    versions:\n      - version: 1.4.0\n        controls:\n          - { id: "3.8", title: Our CIS wording, confidence: high, source: internal }\n');
    const out = join(dir, 'out');
    await runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], out, previous: join(dir, 'old.json'), frameworks: ['cis', 'pci'], cisVersion: '1.4.0', controls });
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

  it('uses branding from a templates folder and validates it', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    const templates = join(dir, 'templates');
    await cp(defaultReportTemplatesDir, templates, { recursive: true });
    const branding = await readFile(join(templates, 'branding.yaml'), 'utf8');
    await writeFile(join(templates, 'branding.yaml'), branding.replace('Example Organisation', 'Acme Bank & Trust <AU>').replace('CONFIDENTIAL', 'INTERNAL USE ONLY'));
    await runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], templatesDir: templates });
    const text = run('pdftotext', [join(dir, 'report.pdf'), '-']);
    expect(text).toContain('Acme Bank & Trust <AU>');
    expect(text).toContain('INTERNAL USE ONLY');
    expect(run('pdfinfo', [join(dir, 'report.pdf')])).toMatch(/Author:\s+Acme Bank and Trust AU/);
    run('qpdf', ['--check', join(dir, 'report.pdf')]);

    await writeFile(join(templates, 'branding.yaml'), branding.replace('"#1F4E79"', 'blue'));
    await expect(runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/branding\.yaml: accentColor: expected a colour/);
    await writeFile(join(templates, 'branding.yaml'), branding.replace('logo: logo.png', 'logo: logo.svg'));
    await expect(runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/branding\.yaml: logo: expected a \.png or \.jpg/);
    await writeFile(join(templates, 'branding.yaml'), branding);
    const text2 = await readFile(join(templates, 'text.yaml'), 'utf8');
    await writeFile(join(templates, 'text.yaml'), text2.replace('{maxRotationDays} days.\n', '{maxRotationDay} days.\n'));
    await expect(runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/text\.yaml: summary\[0\]: unknown placeholder \{maxRotationDay\}/);
    await writeFile(join(templates, 'text.yaml'), text2 + 'extra:\n  - p: x\n');
    await expect(runReportCommand({ allowTampered: true, from: [join(dir, 'results.json')], templatesDir: templates })).rejects.toThrow(/text\.yaml: \(top level\): Unrecognized key: "extra"/);
  });
});
