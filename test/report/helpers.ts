import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports, type WriteReportsOptions } from '../../src/report/index.js';
import { writeFixture, type FixtureOptions } from '../fixtures/results-fixture.js';

export async function tempDir(prefix = 'kra-report-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes a fixture results.json into a fresh folder and renders every report there. */
export async function renderFixture(fixture: FixtureOptions = {}, extra: Partial<WriteReportsOptions> = {}): Promise<{ dir: string; files: string[]; pages: number }> {
  const dir = await tempDir();
  const resultsPath = join(dir, 'results.json');
  await writeFixture(resultsPath, fixture);
  const frameworks = extra.frameworks ?? (await loadFrameworks({}));
  const result = await writeReports({ resultsPath, outDir: dir, frameworks, now: new Date('2026-11-28T03:00:00Z'), ...extra });
  return { dir, ...result };
}

export async function readCsv(path: string): Promise<{ raw: string; rows: string[][] }> {
  const raw = await readFile(path, 'utf8');
  return { raw, rows: parse(raw, { bom: true, relax_column_count: false }) as string[][] };
}

export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
