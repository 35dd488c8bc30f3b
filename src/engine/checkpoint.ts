/**
 * The run's checkpoint: an append-only journal (JSON Lines) in the run folder, one line per
 * finished account, so `--resume` continues a run that crashed or was killed without scanning
 * those accounts again.
 *
 *   {"type":"run", format, formatVersion, scanId, startedAt, shard, scope}   written once, atomically (temp + rename)
 *   {"type":"account", accountId, coverage, regions, keyCalls, batches, apiCalls}   one per finished account
 *   {"type":"resume", at}                                                     each time the run is resumed
 *
 * An account's line is written only after its keys are durable in the spool (fdatasync), and the
 * line itself is fdatasync'd before the account counts as finished. Several accounts finishing
 * together share one write and one sync. A line cut short by a crash is ignored (and cut off).
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { KeyCallTally } from '../collect/kms.js';
import type { AccountCoverage, RegionCoverage } from '../core/results.js';
import type { SpoolBatch } from './spool.js';

import { writeFileAtomic } from '../io/files.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from '../core/run-files.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION };

export interface RunRecord {
  type: 'run';
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  scanId: string;
  startedAt: string;
  shard: { index: number; count: number } | null;
  /** The options that decide what is scanned and how it is judged: a resume must use the same. */
  scope: Record<string, unknown>;
}

/** One finished account: everything the results header needs about it, and where its keys are. */
export interface AccountRecord {
  type: 'account';
  accountId: string;
  coverage: AccountCoverage;
  regions: RegionCoverage[];
  keyCalls: KeyCallTally;
  batches: SpoolBatch[];
  /** API calls of this attempt so far (cumulative), so a resumed run can still count the earlier attempts' calls. */
  apiCalls: Record<string, number>;
  /** Origins requests went to in this attempt so far (absent in checkpoints written before it). */
  endpoints?: string[];
}

interface ResumeRecord {
  type: 'resume';
  at: string;
}

type JournalRecord = RunRecord | AccountRecord | ResumeRecord;

/** What an earlier attempt left: the run record and its finished accounts. */
export interface CheckpointState {
  run: RunRecord;
  accounts: Map<string, AccountRecord>;
  /** Calls of the earlier attempts (each attempt's last snapshot), summed. */
  apiCalls: Record<string, number>;
  /** Origins the earlier attempts sent requests to; null when an attempt did not record them. */
  endpoints: string[] | null;
  attempts: number;
}

export class CheckpointJournal {
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private written = 0;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** Awaited before each write: makes the spool bytes the new lines refer to durable. */
    private readonly beforeWrite: () => Promise<void>,
  ) {}

  /** Starts a run's journal: the run record lands atomically (temp name, fsync, rename). */
  static async create(path: string, run: Omit<RunRecord, 'type' | 'format' | 'formatVersion'>, beforeWrite: () => Promise<void>): Promise<CheckpointJournal> {
    const record: RunRecord = { type: 'run', format: CHECKPOINT_FORMAT, formatVersion: CHECKPOINT_FORMAT_VERSION, ...run };
    await writeFileAtomic(path, JSON.stringify(record) + '\n', { fsync: true });
    return new CheckpointJournal(path, await open(path, 'a'), beforeWrite);
  }

  /** Reopens a journal read with readCheckpoint (cut to `validBytes`) and records the resume. */
  static async resume(path: string, validBytes: number, at: Date, beforeWrite: () => Promise<void>): Promise<CheckpointJournal> {
    const trim = await open(path, 'r+');
    try {
      await trim.truncate(validBytes);
    } finally {
      await trim.close();
    }
    const journal = new CheckpointJournal(path, await open(path, 'a'), beforeWrite);
    journal.pending.push(JSON.stringify({ type: 'resume', at: at.toISOString() } satisfies ResumeRecord) + '\n');
    await new Promise<void>((resolve, reject) => {
      journal.waiters.push({ resolve, reject });
      journal.flush();
    });
    return journal;
  }

  /** Records a finished account; resolves once the line is on disk. */
  accountDone(record: Omit<AccountRecord, 'type'>): Promise<void> {
    this.pending.push(JSON.stringify({ type: 'account', ...record }) + '\n');
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flush();
    });
  }

  /** Accounts recorded by this attempt. */
  get accountsWritten(): number {
    return this.written;
  }

  private flush(): void {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.flush();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        await this.beforeWrite();
        await this.file.write(lines.join(''));
        await this.file.datasync();
        this.written += lines.filter((line) => line.startsWith('{"type":"account"')).length;
        for (const waiter of waiters) waiter.resolve();
      } catch (err) {
        for (const waiter of waiters) waiter.reject(err);
      }
    }
  }

  /** Waits for pending lines and closes the file (kept for a later --resume). */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.file.close().catch(() => undefined);
  }

  /** The run finished: the journal is no longer needed. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

export class CheckpointError extends Error {}

/**
 * Reads a journal: the run record, the finished accounts, and how many bytes hold whole lines (a
 * last line without its newline was cut short by the crash and does not count).
 */
export function parseCheckpoint(bytes: Buffer, path: string): { state: CheckpointState; validBytes: number } {
  const validBytes = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes.subarray(0, validBytes).toString('utf8').split('\n').slice(0, -1);
  let run = null as RunRecord | null;
  const accounts = new Map<string, AccountRecord>();
  const apiCalls: Record<string, number> = {};
  let attemptCalls: Record<string, number> = {};
  const endpoints = new Set<string>();
  let endpointsKnown = true;
  let attemptEndpoints: string[] | undefined = [];
  let attempts = 1;
  const endAttempt = (): void => {
    for (const [operation, n] of Object.entries(attemptCalls)) apiCalls[operation] = (apiCalls[operation] ?? 0) + n;
    attemptCalls = {};
    if (attemptEndpoints === undefined) endpointsKnown = false;
    else for (const origin of attemptEndpoints) endpoints.add(origin);
    attemptEndpoints = [];
  };
  for (const [i, line] of lines.entries()) {
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      throw new CheckpointError(`${path}:${i + 1}: not a checkpoint line (invalid JSON)`);
    }
    if (i === 0) {
      if (record.type !== 'run' || record.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${path}: not a kms-rotation-audit checkpoint (no run record on line 1)`);
      if (record.formatVersion !== CHECKPOINT_FORMAT_VERSION) throw new CheckpointError(`${path}: checkpoint formatVersion ${String(record.formatVersion)} is not supported (expected ${CHECKPOINT_FORMAT_VERSION})`);
      run = record;
    } else if (record.type === 'account') {
      accounts.set(record.accountId, record);
      attemptCalls = record.apiCalls;
      attemptEndpoints = Array.isArray(record.endpoints) ? record.endpoints.map(String) : undefined;
    } else if (record.type === 'resume') {
      endAttempt();
      attempts++;
    } else {
      throw new CheckpointError(`${path}:${i + 1}: unexpected ${JSON.stringify((record as { type?: unknown }).type)} record`);
    }
  }
  endAttempt();
  if (!run) throw new CheckpointError(`${path}: empty checkpoint (the run stopped before it began)`);
  return { state: { run, accounts, apiCalls, endpoints: endpointsKnown ? [...endpoints].sort() : null, attempts }, validBytes };
}
