/** Issue 12 points 4 and 9 at the function level (bounded text; a damaged earlier run skipped before the scan). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AWS_MAX, bounded } from '../../src/bounds.js';
import { resolvePrevious } from '../../src/commands/scan.js';
import { csvText } from '../../src/report/text.js';
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
