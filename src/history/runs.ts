/**
 * Run history under the reports root: one folder per run (named by its sortable scan id), a
 * `latest` symlink moved atomically only when a run has finished, previous-run lookup and pruning.
 * A run is finished when its folder holds manifest.json (written last by the reporters).
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export const LATEST = 'latest';
export const MANIFEST = 'manifest.json';

export function isFinishedRun(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/** Points `<root>/latest` at `runDir` (a sibling folder) with a rename, so readers never see a half-made pointer. */
export async function markLatest(root: string, runDir: string): Promise<void> {
  if (!isFinishedRun(runDir)) throw new Error(`${runDir}: not a finished run (no ${MANIFEST}); latest not moved`);
  await mkdir(root, { recursive: true });
  const tmp = join(root, `.${LATEST}.tmp-${process.pid}`);
  await rm(tmp, { force: true });
  await symlink(basename(runDir), tmp, 'dir');
  await rename(tmp, join(root, LATEST));
}

export async function latestRun(root: string): Promise<string | null> {
  try {
    const target = await readlink(join(root, LATEST));
    const dir = resolve(root, target);
    return isFinishedRun(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** Run folders under root, oldest first (scan ids sort by time). */
export async function listRuns(root: string): Promise<{ dir: string; finished: boolean }[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== LATEST)
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ dir: join(root, name), finished: isFinishedRun(join(root, name)) }));
}

/** The newest finished run other than `exceptDir`. */
export async function previousFinishedRun(root: string, exceptDir: string | null): Promise<string | null> {
  const runs = await listRuns(root);
  const except = exceptDir ? resolve(exceptDir) : null;
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i]!;
    if (run.finished && resolve(run.dir) !== except) return run.dir;
  }
  return null;
}

/**
 * Keeps the newest `keep` (at least 1) finished runs; deletes older run folders (finished or abandoned).
 * Never deletes the folder `latest` points at, nor folders newer than the oldest kept run
 * (one may be a run still in progress).
 */
export async function pruneRuns(root: string, keep: number): Promise<string[]> {
  const runs = await listRuns(root);
  const finished = runs.filter((run) => run.finished);
  if (finished.length <= keep) return [];
  const oldestKept = finished[finished.length - Math.max(1, keep)]!.dir;
  const latest = await latestRun(root);
  const removed: string[] = [];
  for (const run of runs) {
    if (run.dir >= oldestKept) break;
    if (latest && resolve(run.dir) === resolve(latest)) continue;
    await rm(run.dir, { recursive: true, force: true });
    removed.push(run.dir);
  }
  return removed;
}

export async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A finished run in its own folder under the root: `latest` points at it, then --keep prunes. Returns the pruned folders. */
export async function recordFinishedRun(root: string, runDir: string, keep: number | null): Promise<string[]> {
  await markLatest(root, runDir);
  return keep ? pruneRuns(root, keep) : [];
}
