import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { toolVersion } from '../../src/io/version.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { renderFixture, tempDir } from './helpers.js';

interface Manifest {
  format: string;
  toolVersion: string;
  scanId: string;
  generatedAt: string;
  frameworks: string[];
  files: { name: string; bytes: number; sha256: string }[];
}

describe('manifest.json', () => {
  it('lists the SHA-256 and size of every other file, with tool version and scan id', async () => {
    const { dir, files } = await renderFixture();
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.format).toBe('kms-rotation-audit/manifest');
    expect(manifest.toolVersion).toBe(toolVersion);
    expect(manifest.scanId).toBe('scan-20261128T021025Z-fixture');
    expect(manifest.generatedAt).toBe('2026-11-28T03:00:00.000Z');
    expect(manifest.frameworks).toEqual(['cis@7.0.0', 'apra@2019', 'mas@2021', 'nist@800-53r5']);
    expect(manifest.files.map((f) => f.name)).toEqual(['controls.csv', 'coverage.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'report.html', 'report.pdf', 'results.json']);
    for (const f of manifest.files) {
      const data = await readFile(join(dir, f.name));
      expect(f.bytes).toBe(data.length);
      expect(f.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    }
    expect(files.at(-1)).toBe(join(dir, 'manifest.json'));
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('copies results.json into a different --out folder, so the folder is self-contained', async () => {
    const src = await tempDir();
    await writeFixture(join(src, 'scan-results.json'));
    const out = join(await tempDir(), 'nested', 'out');
    await writeReports({ resultsPath: join(src, 'scan-results.json'), outDir: out, frameworks: await loadFrameworks({}) });
    expect((await readFile(join(out, 'results.json'))).equals(await readFile(join(src, 'scan-results.json')))).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['controls.csv', 'coverage.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'manifest.json', 'report.html', 'report.pdf', 'results.json']);
  });

  it('removes a stale manifest first, so a failed re-run leaves the folder marked unfinished', async () => {
    const { dir } = await renderFixture();
    const whole = await readFile(join(dir, 'results.json'), 'utf8');
    await writeFile(join(dir, 'results.json'), whole.slice(0, whole.length - 2000)); // cut inside the key list
    await expect(writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}) })).rejects.toThrow(/results\.json:\d+: invalid JSON|truncated results document/);
    await expect(readFile(join(dir, 'manifest.json'))).rejects.toThrow(/ENOENT/);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a results header without the fields reports need, naming the file and key, before touching the folder', async () => {
    const { dir } = await renderFixture();
    const whole = await readFile(join(dir, 'results.json'), 'utf8');
    await writeFile(join(dir, 'results.json'), whole.replace('"maxRotationDays":365', '"maxRotationDays":"365"'));
    await expect(writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}) })).rejects.toThrow(
      /results\.json: header\.parameters\.maxRotationDays: .*expected number/,
    );
    await expect(readFile(join(dir, 'manifest.json'))).resolves.toBeTruthy();
  });

  it('ignores temp files and sub-folders', async () => {
    const { dir } = await renderFixture();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'x.csv.tmp-123'), 'partial');
    await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}) });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.files.map((f) => f.name)).not.toContain('x.csv.tmp-123');
    expect(manifest.files.map((f) => f.name)).not.toContain('sub');
  });
});
