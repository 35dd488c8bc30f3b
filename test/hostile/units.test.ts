/** Issue 12 points 4 and 9 at the function level (bounded text; a damaged earlier run skipped before the scan). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AWS_MAX, bounded } from '../../src/core/bounds.js';
import { resolvePrevious } from '../../src/app/run.js';
import { csvText } from '../../src/core/text.js';
import { writeRun } from '../helpers/results.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

describe('bounded text (point 4)', () => {
  it('cuts text longer than AWS allows, with a marker, and leaves the rest alone', () => {
    expect(bounded('x'.repeat(100_000), AWS_MAX.accountName)).toBe('x'.repeat(128) + ' [cut: 100000 characters, longer than AWS allows]');
    expect(bounded('short', AWS_MAX.alias)).toBe('short');
    expect(bounded(null, AWS_MAX.description)).toBeNull();
  });
  it('CSV text replaces control and bidi characters as the PDF does', () => {
    expect(csvText('a\u001b[31m\u202eb\u0000c\nd')).toBe('a\uFFFD[31m\uFFFDb\uFFFDc\nd');
  });
});

describe('previous run (point 9)', () => {
  it('--previous auto skips a damaged earlier run with a warning and takes the one before', async () => {
    const root = await tempDir();
    const manifest = (id: string) => JSON.stringify({ format: 'kms-rotation-audit/manifest', formatVersion: 1, scanId: id, files: [] });
    const good = join(root, '2026-11-01T00-00-00Z-aaaaaa');
    await writeRun(good, [], { scanId: '2026-11-01T00-00-00Z-aaaaaa' });
    await writeFile(join(good, 'manifest.json'), manifest('2026-11-01T00-00-00Z-aaaaaa'));
    const damaged = join(root, '2026-11-02T00-00-00Z-bbbbbb');
    await mkdir(damaged);
    await writeFile(join(damaged, 'manifest.json'), manifest('2026-11-02T00-00-00Z-bbbbbb'));
    const warnings: string[] = [];
    const previous = await resolvePrevious({ previous: 'auto' }, root, join(root, 'new'), (_fields, message) => warnings.push(message));
    expect(previous).toBe(join(good, 'results.json'));
    expect(warnings).toEqual(['earlier run skipped as the previous run: its results.json cannot be read']);
  });
});

describe('the PDF table cell cap (point 4)', () => {
  it('lays out at most MAX_CELL_CHARS (2,000) characters of a cell, whatever it is given', async () => {
    const { MAX_CELL_CHARS, tableLead } = await import('../../src/report/pdf/table.js');
    expect(MAX_CELL_CHARS).toBe(2000);
    const measured: number[] = [];
    // A stand-in for the PDF: records the length of every text the table asks it to measure.
    const pdf = {
      width: 500,
      left: 40,
      measure: (text: string) => {
        measured.push(text.length);
        return Math.ceil(text.length / 100) * 10;
      },
    };
    const note = ' […cut here; full text in findings.csv]';
    tableLead(pdf as never, [{ header: 'Key', weight: 1 }, { header: 'Description', weight: 3 }], [['k1', 'x'.repeat(100_000)], ['k2', 'short']], { maxCellLines: 10_000 });
    expect(Math.max(...measured)).toBe(MAX_CELL_CHARS + note.length);
  });
});

describe('bounded text in results files (point 4)', () => {
  it('a key read from a results file gets the bounds a scan applies to AWS text; a normal key is passed through as it is', async () => {
    const { checkKey, TEXT_MAX } = await import('../../src/core/results-validate.js');
    const { makeKey } = await import('../helpers/results.js');
    const normal = makeKey({ keyId: 'k1', description: 'd', aliases: ['alias/a'] });
    expect(checkKey(normal, 'f:1')).toBe(normal);
    const long = makeKey({
      keyId: 'k2',
      accountName: 'n'.repeat(100_000),
      description: 'd'.repeat(100_000),
      aliases: ['alias/' + 'a'.repeat(100_000)],
      tags: { ['k'.repeat(1000)]: 'v'.repeat(100_000) },
      reason: 'r'.repeat(100_000),
      error: { code: 'X', message: 'm'.repeat(100_000), operation: 'kms:DescribeKey' },
    });
    const cut = checkKey(long, 'f:2');
    expect(cut.description).toBe('d'.repeat(AWS_MAX.description) + ' [cut: 100000 characters, longer than AWS allows]');
    expect(cut.accountName!.length).toBeLessThanOrEqual(AWS_MAX.accountName + 60);
    expect(cut.aliases[0]!.length).toBeLessThanOrEqual(AWS_MAX.alias + 60);
    expect(Object.entries(cut.tags!).every(([k, v]) => k.length <= AWS_MAX.tagKey + 60 && v.length <= AWS_MAX.tagValue + 60)).toBe(true);
    expect(cut.reason.length).toBeLessThanOrEqual(TEXT_MAX + 60);
    expect(cut.error!.message.length).toBeLessThanOrEqual(TEXT_MAX + 60);
    expect(long.description!.length).toBe(100_000); // the object read is not changed
  });

  it('the header coverage text too', async () => {
    const { checkHeader } = await import('../../src/core/results-validate.js');
    const { makeHeader } = await import('../helpers/results.js');
    const { accountCoverage } = await import('../app/helpers.js');
    const header = makeHeader({ coverage: { accounts: [{ ...accountCoverage('111122223333'), accountName: 'n'.repeat(100_000), ouPath: 'Root/' + 'o'.repeat(100_000) }], regions: [] } });
    const checked = checkHeader(header, 'f');
    expect(checked.coverage.accounts[0]!.accountName).toMatch(/^n{128} \[cut: 100000 characters/);
    expect(checked.coverage.accounts[0]!.ouPath!.length).toBeLessThan(4200);
  });
});
