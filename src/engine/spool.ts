/**
 * Judged keys go to disk as each account × region finishes (JSON Lines, one contiguous batch per
 * account × region, keys sorted by key id inside a batch), so no scan holds every key in memory.
 * Only an index of (account, region) → byte range stays in memory; `read()` streams the batches
 * back in the report order (account, region, key id). The checkpoint (checkpoint.ts) persists
 * each finished account's batches, so `--resume` reopens the file and adopts them.
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { compareKeys, type KeyResult } from '../core/results.js';

/** Where one account × region's keys are in the spool file. */
export interface SpoolBatch {
  accountId: string;
  region: string;
  offset: number;
  length: number;
  count: number;
}

/** Batches up to this size are read in one call; larger ones are streamed line by line. */
const READ_WHOLE_LIMIT = 1 << 20;

export class KeySpool {
  private readonly batches: SpoolBatch[] = [];
  private writes: Promise<unknown> = Promise.resolve();
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    private size: number,
  ) {}

  /** A new, empty spool (an existing file is truncated). */
  static async create(path: string): Promise<KeySpool> {
    return new KeySpool(path, await open(path, 'w+'), 0);
  }

  /**
   * The spool of an interrupted run, holding `batches` (those of the accounts its checkpoint says
   * finished). Bytes of accounts that were still under way stay in the file, unindexed: new
   * batches are appended after them.
   */
  static async reopen(path: string, batches: SpoolBatch[]): Promise<KeySpool> {
    const file = await open(path, 'r+');
    const spool = new KeySpool(path, file, (await file.stat()).size);
    spool.batches.push(...batches);
    return spool;
  }

  /** Appends one account × region batch (sorted here); resolves with its place once it is written (null when empty). */
  append(accountId: string, region: string, keys: KeyResult[]): Promise<SpoolBatch | null> {
    if (keys.length === 0) return this.writes.then(() => null);
    const sorted = [...keys].sort(compareKeys);
    const buffer = Buffer.from(sorted.map((key) => JSON.stringify(key)).join('\n') + '\n', 'utf8');
    const batch: SpoolBatch = { accountId, region, offset: this.size, length: buffer.length, count: sorted.length };
    this.size += buffer.length;
    this.batches.push(batch);
    const write = this.writes.then(() => this.file.write(buffer, 0, buffer.length, batch.offset));
    this.writes = write.catch(() => undefined);
    return write.then(() => batch);
  }

  /** Makes every batch appended so far durable (before a checkpoint refers to them). */
  async sync(): Promise<void> {
    await this.writes;
    await this.file.datasync();
  }

  get keyCount(): number {
    return this.batches.reduce((sum, batch) => sum + batch.count, 0);
  }

  /** Every key, in (account, region, key id) order. */
  read(): AsyncIterable<KeyResult> {
    return this.readBatches(this.batches);
  }

  /**
   * The keys of these batches, in (account, region, key id) order. Read back as written, not
   * checked: the spool is this tool's own file (written by append, in this run or in the interrupted
   * attempt --resume continues, at offsets its checkpoint recorded), and every key it holds is checked
   * again (src/core/results-validate.ts checkKey) when the reports read results.json.
   */
  async *readBatches(batches: readonly SpoolBatch[]): AsyncIterable<KeyResult> {
    await this.writes;
    const ordered = [...batches].sort((a, b) => compareKeys({ accountId: a.accountId, region: a.region, keyId: '' }, { accountId: b.accountId, region: b.region, keyId: '' }));
    for (const batch of ordered) {
      if (batch.length <= READ_WHOLE_LIMIT) {
        const buffer = Buffer.alloc(batch.length);
        await this.file.read(buffer, 0, batch.length, batch.offset);
        for (const line of buffer.toString('utf8').split('\n')) if (line) yield JSON.parse(line) as KeyResult;
      } else {
        const lines = createInterface({ input: createReadStream(this.path, { start: batch.offset, end: batch.offset + batch.length - 1 }), crlfDelay: Infinity });
        for await (const line of lines) if (line) yield JSON.parse(line) as KeyResult;
      }
    }
  }

  /** Closes the file and keeps it (an interrupted run: --resume reads it). */
  async close(): Promise<void> {
    await this.writes;
    await this.file.close().catch(() => undefined);
  }

  /** Closes and deletes the spool file. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}
