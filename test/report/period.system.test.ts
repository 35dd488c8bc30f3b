/**
 * A reporting period appears only when branding.yaml configures one; then the cover names it with the
 * number of finished runs inside it, and the executive summary lists and charts those runs (from the
 * reports root), never a run outside the period or after this one.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { defaultReportTemplatesDir } from '../../src/report/templates.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { run, tempDir } from './helpers.js';

const flat = (s: string): string => s.replace(/\s+/g, ' ');
const RUNS = [
  ['2026-09-20T02-00-00Z-aaaaaa', '2026-09-20T02:04:00.000Z'], // Q3: outside the period
  ['2026-10-15T02-00-00Z-bbbbbb', '2026-10-15T02:04:00.000Z'],
  ['2026-11-15T02-00-00Z-cccccc', '2026-11-15T02:04:00.000Z'],
  ['2026-12-10T02-00-00Z-eeeeee', '2026-12-10T02:04:00.000Z'], // after this run: not in its report
] as const;
const THIS = ['2026-11-28T02-10-25Z-dddddd', '2026-11-28T02:14:37.000Z'] as const;

let root: string;
let quarterly: string;

async function render(scanId: string, finishedAt: string, templatesDir?: string): Promise<string> {
  const dir = join(root, scanId);
  await mkdir(dir, { recursive: true });
  await writeFixture(join(dir, 'results.json'), { scanId, finishedAt });
  await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}), reportsRoot: root, templatesDir, now: new Date('2026-12-31T00:00:00Z') });
  return flat(run('pdftotext', ['-layout', join(dir, 'report.pdf'), '-']));
}

beforeAll(async () => {
  root = await tempDir('kra-period-');
  for (const [scanId, finishedAt] of RUNS) await render(scanId, finishedAt);
  quarterly = join(await tempDir('kra-templates-'), 'report');
  await cp(defaultReportTemplatesDir, quarterly, { recursive: true });
  const branding = join(quarterly, 'branding.yaml');
  await writeFile(branding, (await readFile(branding, 'utf8')).replace(/^reportingPeriod: none$/m, 'reportingPeriod: quarter'));
});

describe('reporting period', () => {
  it('is absent by default: the cover states the snapshot only', async () => {
    const text = await render(...THIS);
    expect(text).not.toContain('Reporting period');
    expect(text).toContain('Snapshot time 2026-11-28 02:14:37 UTC');
    expect(text).toContain('Trend against the previous run');
  });

  it('when configured, names the period with its finished runs, and lists and charts them', async () => {
    const text = await render(...THIS, quarterly);
    expect(text).toContain('Reporting period Q4 2026 (2026-10-01 to 2026-12-31): 3 finished runs in this period in the reports root, this one included');
    expect(text).toContain('Runs in the reporting period Q4 2026 (2026-10-01 to 2026-12-31)');
    expect(text).toMatch(/2026-10-15 02:04 UTC 2026-10-15T02-00-00Z-bbbbbb 34 13 4 59\.1% not recorded 2026-11-15 02:04 UTC 2026-11-15T02-00-00Z-cccccc 34 13 4 59\.1% not recorded 2026-11-28 02:14 UTC 2026-11-28T02-10-25Z-dddddd \(this run\) 34 13 4 59\.1% incomplete/);
    expect(text).not.toContain('aaaaaa');
    expect(text).not.toContain('eeeeee');
    expect(text).toContain('Each run is a point-in-time test');
  });
});
