import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foreignFolders, latestRun, listRuns, markLatest, previousFinishedRun, pruneRuns } from '../../src/io/runs.js';

async function run(root: string, name: string, finished: boolean): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  if (finished) await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: 'kms-rotation-audit/manifest', formatVersion: 1, scanId: name, files: [] }));
  // An unfinished run has the run layout too: its checkpoint's first line names the run.
  else await writeFile(join(dir, 'checkpoint.jsonl'), JSON.stringify({ type: 'run', format: 'kms-rotation-audit/checkpoint', formatVersion: 1, scanId: name, startedAt: '2026-11-01T00:00:00.000Z', shard: null, scope: {} }) + '\n');
  return dir;
}

describe('run history', () => {
  it('moves latest only to a finished run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-runs-'));
    const done = await run(root, '2026-11-01T00-00-00Z-aaaaaa', true);
    const unfinished = await run(root, '2026-11-02T00-00-00Z-bbbbbb', false);
    await markLatest(root, done);
    await expect(markLatest(root, unfinished)).rejects.toThrow(/not a finished run/);
    expect(await readlink(join(root, 'latest'))).toBe('2026-11-01T00-00-00Z-aaaaaa');
    expect(await latestRun(root)).toBe(done);
  });

  it('finds the previous finished run, skipping unfinished ones and the current one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-runs-'));
    const first = await run(root, '2026-11-01T00-00-00Z-aaaaaa', true);
    await run(root, '2026-11-02T00-00-00Z-bbbbbb', false);
    const current = await run(root, '2026-11-03T00-00-00Z-cccccc', true);
    expect(await previousFinishedRun(root, current)).toBe(first);
    expect(await previousFinishedRun(join(root, 'missing'), null)).toBeNull();
  });

  it('prunes to the newest N finished runs and never the latest target', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-runs-'));
    const names = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'];
    const dirs = [];
    for (const [i, name] of names.entries()) dirs.push(await run(root, name, i !== 1));
    await markLatest(root, dirs[0]!); // an odd but possible pointer: it must survive
    const removed = await pruneRuns(root, 2);
    expect(removed).toEqual([dirs[1], dirs[2]]);
    expect((await listRuns(root)).map((r) => r.dir)).toEqual([dirs[0], dirs[3], dirs[4]]);
    expect(existsSync(join(root, 'latest'))).toBe(true);
  });

  it('--keep prunes runs only: folders without a manifest naming their own scan id are left alone (issue 12 point 2)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-runs-'));
    const important = join(root, '000-important-data');
    await mkdir(important);
    await writeFile(join(important, 'notes.txt'), 'keep me');
    const otherId = join(root, '001-copied-run');
    await mkdir(otherId);
    await writeFile(join(otherId, 'manifest.json'), JSON.stringify({ format: 'kms-rotation-audit/manifest', scanId: '2026-11-01T00-00-00Z-aaaaaa' }));
    const damaged = join(root, '002-damaged');
    await mkdir(damaged);
    await writeFile(join(damaged, 'manifest.json'), '{not json');
    const runs = [];
    for (const name of ['2026-11-01T00-00-00Z-aaaaaa', '2026-11-02T00-00-00Z-bbbbbb', '2026-11-03T00-00-00Z-cccccc']) runs.push(await run(root, name, true));
    const removed = await pruneRuns(root, 1);
    expect(removed).toEqual([runs[0], runs[1]]);
    expect(await readFile(join(important, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(otherId) && existsSync(damaged)).toBe(true);
    expect(await foreignFolders(root)).toEqual([important, otherId, damaged]);
    expect((await listRuns(root)).map((r) => r.dir)).toEqual([runs[2]]);
  });

  it('refuses to replace a real folder named latest (issue 12 point 3)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-runs-'));
    const done = await run(root, '2026-11-01T00-00-00Z-aaaaaa', true);
    await mkdir(join(root, 'latest'));
    await expect(markLatest(root, done)).rejects.toThrow(/latest: expected the symlink to the newest run, found a folder; move it out of the reports root$/);
  });
});
