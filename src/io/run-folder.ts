/**
 * Runs own their folders (issue 12): while a run writes its folder it holds a lock file there, a
 * second writer is refused in one line (exit 73, "cannot write output"), a folder holding a finished
 * run is not written without --force, and files in the folder that this tool did not write are left
 * alone, named once in a warning, and never listed in manifest.json.
 *
 * The lock: `run.lock` (a shard's `run.part-K-of-N.lock`, so the shards of one run can share a
 * folder), created atomically with its content (written to a temporary name, then hard-linked to the
 * lock's name, which fails when the name exists: POSIX link(2)). It holds the holder's pid, host name
 * and start time; the holder touches it once a minute (its heartbeat). An existing lock is stale, and
 * taken over with a warning, when
 *   - it was made on this host and its pid is not running (a killed run), or its pid is this
 *     process's own (a restarted container reuses pid 1), or
 *   - its heartbeat is older than 10 minutes (a holder on another host, or a pid reused by another
 *     program: a live holder touches it every minute), or
 *   - it is not a lock file of this tool (unreadable content).
 * Otherwise the folder is busy and the run is refused before any AWS call.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readdir, rmdir, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { OutputError, UsageError } from '../core/errors.js';
import { quote } from '../core/names.js';
import { TEMP_NAME, tempPath } from './files.js';

export const LOCK_FORMAT = 'kms-rotation-audit/lock';
/** A live holder touches its lock this often. */
export const LOCK_HEARTBEAT_MS = 60_000;
/** A lock whose heartbeat is older than this is stale, whoever holds it. */
export const LOCK_STALE_AFTER_MS = 10 * 60_000;

export interface LockRecord {
  format: typeof LOCK_FORMAT;
  pid: number;
  hostname: string;
  startedAt: string;
  /** What holds it: `scan`, `scan shard 2/4`, `report`. */
  command: string;
}

/** The lock file's name: `run.lock`, or `run.part-K-of-N.lock` for a shard. */
export function lockName(shard: { index: number; count: number } | null = null): string {
  return shard ? `run.part-${shard.index}-of-${shard.count}.lock` : 'run.lock';
}

export const LOCK_FILE = /^run(\.part-\d+-of-\d+)?\.lock$/;

export interface RunLock {
  dir: string;
  path: string;
  /** The stale lock this one replaced (for the warning), or null. */
  replaced: LockRecord | null;
  /** Removes the lock (and the folder, when this lock created it and nothing else was written). */
  release(): Promise<void>;
}

/** Locks taken by this process (a second job in the same process is a second writer too). */
const heldHere = new Set<string>();

export interface AcquireOptions {
  /** Lock name (lockName()). */
  name?: string;
  /** The flag, variable or file:line that named the folder, for messages. */
  what: string;
  command: string;
  now?: () => Date;
}

/**
 * Takes the folder's lock (creating the folder), or throws a one-line OutputError (exit 73) naming the
 * holder. A stale lock is taken over; `replaced` says whose it was.
 */
export async function acquireRunLock(dir: string, opts: AcquireOptions): Promise<RunLock> {
  // The first folder this call creates (the folder or an ancestor), removed again on release when empty.
  const created = (await mkdir(dir, { recursive: true })) ?? null;
  const path = join(dir, opts.name ?? lockName());
  const record: LockRecord = { format: LOCK_FORMAT, pid: process.pid, hostname: hostname(), startedAt: (opts.now?.() ?? new Date()).toISOString(), command: opts.command };
  let replaced: LockRecord | null = null;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, record)) break;
    const holder = readLock(path);
    const state = lockState(path, holder);
    if (state === 'live' || attempt > 0) {
      const staleAt = heldHere.has(path) ? null : staleTime(path);
      throw new OutputError(
        `${opts.what} ${dir}: another kms-rotation-audit run is writing this folder (${describeHolder(holder)}; lock file ${basename(path)}); wait for it to finish, or give another folder${staleAt ? ` (if that run is gone, its lock goes stale at ${staleAt})` : ''}`,
      );
    }
    // Stale: removed only if it is still the same file (another process may have taken it over meanwhile).
    if (JSON.stringify(readLock(path)) === JSON.stringify(holder)) {
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    replaced = holder ?? { format: LOCK_FORMAT, pid: 0, hostname: 'unknown', startedAt: 'unknown', command: 'unknown' };
  }
  heldHere.add(path);
  const heartbeat = setInterval(() => {
    const seconds = Date.now() / 1000;
    utimes(path, seconds, seconds).catch(() => undefined);
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  // A process that exits without release (an uncaught error, process.exit) still removes its lock.
  const onExit = (): void => removeIfOurs(path, record);
  process.once('exit', onExit);
  let released = false;
  return {
    dir,
    path,
    replaced,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      process.off('exit', onExit);
      removeIfOurs(path, record);
      heldHere.delete(path);
      // Only empty folders: a folder something was written to stays.
      if (created) for (let folder = dir; folder === created || folder.startsWith(created + sep); folder = dirname(folder)) if (!(await rmdir(folder).then(() => true, () => false))) break;
    },
  };
}

function tryCreate(path: string, record: LockRecord): boolean {
  // Written whole under a temporary name, then linked: the lock never exists half-written. A link, not
  // a rename (src/io/files.ts): link(2) fails when the name exists, where rename(2) would replace it.
  const tmp = tempPath(path);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(record) + '\n');
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function readLock(path: string): LockRecord | null {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    if (doc.format !== LOCK_FORMAT || !Number.isInteger(doc.pid) || typeof doc.hostname !== 'string' || typeof doc.startedAt !== 'string') return null;
    return { format: LOCK_FORMAT, pid: doc.pid!, hostname: doc.hostname, startedAt: doc.startedAt, command: typeof doc.command === 'string' ? doc.command : 'unknown' };
  } catch {
    return null;
  }
}

/** Whether a lock someone else made is still held (see the rules at the top of this file). */
export function lockState(path: string, holder: LockRecord | null, now = Date.now()): 'live' | 'stale' {
  if (heldHere.has(path)) return 'live';
  if (!holder) return 'stale';
  let touched: number;
  try {
    touched = statMtime(path);
  } catch {
    return 'stale';
  }
  if (now - touched > LOCK_STALE_AFTER_MS) return 'stale';
  if (holder.hostname !== hostname()) return 'live';
  if (holder.pid === process.pid) return 'stale';
  return processRunning(holder.pid) ? 'live' : 'stale';
}

/** When a lock goes stale without a heartbeat (ISO time), or null when it cannot be read. */
function staleTime(path: string): string | null {
  try {
    return new Date(statMtime(path) + LOCK_STALE_AFTER_MS).toISOString();
  } catch {
    return null;
  }
}

function statMtime(path: string): number {
  // Synchronous on purpose: the decision and the removal follow at once.
  return statSync(path).mtimeMs;
}

function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfOurs(path: string, record: LockRecord): void {
  try {
    const current = readLock(path);
    if (current && current.pid === record.pid && current.startedAt === record.startedAt && current.hostname === record.hostname) unlinkSync(path);
  } catch {
    // already gone
  }
}

export function describeHolder(holder: LockRecord | null): string {
  if (!holder) return 'a lock file this tool cannot read';
  return `${holder.command}, pid ${holder.pid} on host ${quote(holder.hostname)}, since ${holder.startedAt}`;
}

/** The live holder of a folder's `run.lock` (or a shard's), or null: --keep never deletes a folder being written. */
export async function liveLockIn(dir: string): Promise<LockRecord | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => LOCK_FILE.test(name));
  } catch {
    return null;
  }
  for (const name of names) {
    const path = join(dir, name);
    const holder = readLock(path);
    if (lockState(path, holder) === 'live') return holder;
  }
  return null;
}

/**
 * Names this tool writes in a run folder (src/report/index.ts REPORT_FILES, the exports, the publish
 * record, shard parts, checkpoints and spools, locks, temporary names). Any other file is foreign.
 */
const OWN_FILE = [
  /^(results|findings|controls|coverage|changes|exceptions)\.(json|csv)$/,
  /^report\.(pdf|html)$/,
  /^findings\.(ocsf|asff)\.json$/,
  /^findings\.xlsx$/,
  /^manifest(\.sig)?\.json$/,
  /^securityhub-publish\.json$/,
  /^results\.part-\d+-of-\d+\.json$/,
  /^checkpoint(\.part-\d+-of-\d+)?\.jsonl$/,
  /^keys(\.part-\d+-of-\d+)?\.spool\.jsonl$/,
  LOCK_FILE,
  TEMP_NAME,
];

export function isOwnFileName(name: string): boolean {
  return OWN_FILE.some((pattern) => pattern.test(name));
}

/** Regular files of `dir` this tool does not write (sorted); sub-folders are not looked at. */
export async function foreignFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => !e.isDirectory() && !isOwnFileName(e.name)).map((e) => e.name).sort();
}

/** The warning for foreign files, once per run: named (the first 10), left alone, not in the manifest. */
export function foreignFilesWarning(dir: string, names: string[]): { fields: Record<string, unknown>; message: string } {
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? `, and ${names.length - 10} more` : '');
  return {
    fields: { folder: dir, files: names.slice(0, 10), count: names.length },
    message: `the output folder holds ${names.length} file(s) this tool did not write (${shown}): left alone and not listed in manifest.json, so \`verify\` will report them; give an empty folder to avoid this`,
  };
}

/** A folder holding a finished run (manifest.json) is written only with --force: a UsageError otherwise. */
export async function checkNotFinished(dir: string, what: string, force: boolean): Promise<void> {
  if (force) return;
  const manifest = join(dir, 'manifest.json');
  const info = await stat(manifest).catch(() => null);
  if (!info) return;
  let scanId = '';
  try {
    const doc = JSON.parse(readFileSync(manifest, 'utf8').slice(0, 1 << 20)) as { scanId?: unknown };
    if (typeof doc.scanId === 'string') scanId = ` of scan ${quote(doc.scanId)}`;
  } catch {
    // the id is only for the message
  }
  throw new UsageError(`${what} ${dir}: holds a finished run${scanId} (its manifest.json); expected a new or unfinished run folder, or --force to replace that run`);
}
