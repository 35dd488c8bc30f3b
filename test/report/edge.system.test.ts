import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { fixtureHeader } from '../fixtures/results-fixture.js';
import { readCsv, renderFixture, run, tempDir } from './helpers.js';

describe('edge cases', () => {
  it('an organization without keys or coverage still gives every file, controls not assessed', async () => {
    const dir = await tempDir();
    const header = { ...fixtureHeader(), coverage: { accounts: [], regions: [] }, apiCalls: {} };
    await writeResultsDocument(join(dir, 'results.json'), header, []);
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}) });
    const findings = await readCsv(join(dir, 'findings.csv'));
    expect(findings.rows).toHaveLength(1);
    expect(findings.raw).toBe('\uFEFF' + findings.rows[0]!.join(',') + '\r\n');
    const controls = await readCsv(join(dir, 'controls.csv'));
    expect(new Set(controls.rows.slice(1).map((r) => `${r[4]}: ${r[10]}`))).toEqual(new Set(['not assessed: no applicable keys in scope; coverage complete']));
    expect((await readCsv(join(dir, 'coverage.csv'))).rows).toHaveLength(1);
    const text = run('pdftotext', [join(dir, 'report.pdf'), '-']);
    expect(text).toContain('No key failed the rule and no key was in error.');
    expect(text).toContain('The results document records no API call counts.');
    run('qpdf', ['--check', join(dir, 'report.pdf')]);
  });

  it('an unfinished run says so on the cover and assesses no control as met', async () => {
    const { dir } = await renderFixture({ complete: false, keys: 300 });
    const text = run('pdftotext', [join(dir, 'report.pdf'), '-']).replace(/\s+/g, ' ');
    expect(text).toContain('This run did not finish');
    const controls = await readCsv(join(dir, 'controls.csv'));
    expect(controls.rows.slice(1).every((r) => r[4] !== 'met')).toBe(true);
  });
});
