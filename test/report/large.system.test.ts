import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv, renderFixture, run } from './helpers.js';

describe('a large organization', () => {
  it('lists every key in findings.csv but caps the PDF detail rows with a clear statement', async () => {
    const { dir, pages } = await renderFixture({ keys: 6000 }, { maxDetailRows: 150 });
    const { rows } = await readCsv(join(dir, 'findings.csv'));
    expect(rows.length - 1).toBe(6000);
    const failing = rows.slice(1).filter((r) => r[22] === 'FAIL' || r[22] === 'ERROR').length;
    const text = run('pdftotext', [join(dir, 'report.pdf'), '-']).replace(/\s+/g, ' ');
    expect(text).toContain(`${(failing - 150).toLocaleString('en-US')} more rows with status FAIL or ERROR are not listed here`);
    expect(pages).toBeLessThan(60);
    expect((await stat(join(dir, 'report.pdf'))).size).toBeLessThan(3_000_000);
    // the attachment still carries every key
    expect((await readFile(join(dir, 'findings.csv'))).length).toBeGreaterThan(1_000_000);
  });

  it('states when findings.csv is too large to embed', async () => {
    const { dir } = await renderFixture({}, { attachmentLimitBytes: 1000 });
    expect(run('pdfdetach', ['-list', join(dir, 'report.pdf')])).toMatch(/^0 embedded files/);
    expect(run('pdftotext', [join(dir, 'report.pdf'), '-']).replace(/\s+/g, ' ')).toMatch(/larger than the 1,000-byte embedding limit and is not embedded/);
  });
});
