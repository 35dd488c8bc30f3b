/**
 * Run history under the reports root: one folder per run (named by its sortable scan id), a
 * `latest` symlink moved atomically only when a run has finished, previous-run lookup and pruning.
 * A run is finished when its folder holds manifest.json (written last by the reporters). Only a
 * folder with the run layout is a run: a finished run's manifest names its own scan id, the folder's
 * name; an unfinished run's checkpoint does. Anything else in the reports root is left alone.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { scanIdProblem } from '../core/names.js';
import { CHECKPOINT_FORMAT, MANIFEST_FORMAT } from '../core/run-files.js';
import { liveLockIn } from './run-folder.js';
import { symlinkAtomic } from './files.js';

export const LATEST = 'latest';
export const MANIFEST = 'manifest.json';


export function isFinishedRun(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/** The scan id a run file (manifest.json, or a checkpoint's first line) names, or null when it is not ours. */
function scanIdIn(path: string, firstLineOnly: boolean, format: string): string | null {
  try {
    // At most 1 MiB: a manifest lists a dozen files; a checkpoint's first line is the run record.
    const buffer = Buffer.alloc(1 << 20);
    const fd = openSync(path, 'r');
    let length: number;
    try {
      length = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
    let text = buffer.subarray(0, length).toString('utf8');
    if (firstLineOnly) text = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
    const doc = JSON.parse(text) as { format?: unknown; scanId?: unknown };
    return doc.format === format && typeof doc.scanId === 'string' && scanIdProblem(doc.scanId) === null ? doc.scanId : null;
  } catch {
    return null;
  }
}

/** What a folder under the reports root is: a finished run, an unfinished one, or not a run at all. */
export function runKind(dir: string): 'finished' | 'unfinished' | 'foreign' {
  const name = basename(dir);
  if (existsSync(join(dir, MANIFEST))) return scanIdIn(join(dir, MANIFEST), false, MANIFEST_FORMAT) === name ? 'finished' : 'foreign';
  // An unsharded run's checkpoint (src/core/run-files.ts runFileNames); its first line names the run.
  const checkpoint = join(dir, 'checkpoint.jsonl');
  return existsSync(checkpoint) && scanIdIn(checkpoint, true, CHECKPOINT_FORMAT) === name ? 'unfinished' : 'foreign';
}

/** Points `<root>/latest` at `runDir` (a sibling folder) with a rename, so readers never see a half-made pointer. */
export async function markLatest(root: string, runDir: string): Promise<void> {
  if (!isFinishedRun(runDir)) throw new Error(`${runDir}: not a finished run (no ${MANIFEST}); latest not moved`);
  await mkdir(root, { recursive: true });
  const current = await lstat(join(root, LATEST)).catch(() => null);
  if (current && !current.isSymbolicLink()) {
    throw new UsageError(`${join(root, LATEST)}: expected the symlink to the newest run, found a ${current.isDirectory() ? 'folder' : 'file'}; move it out of the reports root`);
  }
  await symlinkAtomic(basename(runDir), join(root, LATEST));
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

/** Run folders under root, oldest first (scan ids sort by time); folders without the run layout are not listed. */
export async function listRuns(root: string): Promise<{ dir: string; finished: boolean }[]> {
  return (await listFolders(root)).filter((f) => f.kind !== 'foreign').map((f) => ({ dir: f.dir, finished: f.kind === 'finished' }));
}

/** Folders under root that are not runs (no manifest or checkpoint naming the folder's own scan id). */
export async function foreignFolders(root: string): Promise<string[]> {
  return (await listFolders(root)).filter((f) => f.kind === 'foreign').map((f) => f.dir);
}

async function listFolders(root: string): Promise<{ dir: string; kind: ReturnType<typeof runKind> }[]> {
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
    .map((name) => ({ dir: join(root, name), kind: runKind(join(root, name)) }));
}

/** The newest finished run other than `exceptDir`. */
export async function previousFinishedRun(root: string, exceptDir: string | null): Promise<string | null> {
  return (await finishedRunsNewestFirst(root, exceptDir))[0] ?? null;
}

/** Finished runs other than `exceptDir`, newest first. */
export async function finishedRunsNewestFirst(root: string, exceptDir: string | null): Promise<string[]> {
  const except = exceptDir ? resolve(exceptDir) : null;
  return (await listRuns(root))
    .filter((run) => run.finished && resolve(run.dir) !== except)
    .map((run) => run.dir)
    .reverse();
}

/**
 * Keeps the newest `keep` (at least 1) finished runs; deletes older run folders (finished or abandoned).
 * Never deletes the folder `latest` points at, nor folders newer than the oldest kept run
 * (one may be a run still in progress), nor a folder a live run holds the lock of, nor any folder
 * that is not a run (see runKind).
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
    // A folder a live run is writing (its lock, src/io/run-folder.ts) is never deleted.
    if (await liveLockIn(run.dir)) continue;
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
