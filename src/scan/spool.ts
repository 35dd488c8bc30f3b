/**
 * Judged keys go to disk as each account × region finishes (JSON Lines, one contiguous batch per
 * account × region, keys sorted by key id inside a batch), so no scan holds every key in memory.
 * Only an index of (account, region) → byte range stays in memory; `read()` streams the batches
 * back in the report order (account, region, key id). A per-account checkpoint for --resume can
 * persist that index alongside the file.
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { compareKeys, type KeyResult } from '../results/types.js';

interface Batch {
  accountId: string;
  region: string;
  offset: number;
  length: number;
  count: number;
}

/** Batches up to this size are read in one call; larger ones are streamed line by line. */
const READ_WHOLE_LIMIT = 1 << 20;

export class KeySpool {
  private readonly batches: Batch[] = [];
  private size = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  static async create(path: string): Promise<KeySpool> {
    return new KeySpool(path, await open(path, 'w+'));
  }

  /** Appends one account × region batch (sorted here); resolves when it is on disk. */
  append(accountId: string, region: string, keys: KeyResult[]): Promise<void> {
    if (keys.length === 0) return this.writes.then(() => undefined);
    const sorted = [...keys].sort(compareKeys);
    const buffer = Buffer.from(sorted.map((key) => JSON.stringify(key)).join('\n') + '\n', 'utf8');
    const offset = this.size;
    this.size += buffer.length;
    this.batches.push({ accountId, region, offset, length: buffer.length, count: sorted.length });
    const write = this.writes.then(() => this.file.write(buffer, 0, buffer.length, offset));
    this.writes = write.catch(() => undefined);
    return write.then(() => undefined);
  }

  get keyCount(): number {
    return this.batches.reduce((sum, batch) => sum + batch.count, 0);
  }

  /** Every key, in (account, region, key id) order. */
  async *read(): AsyncIterable<KeyResult> {
    await this.writes;
    const ordered = [...this.batches].sort((a, b) => compareKeys({ accountId: a.accountId, region: a.region, keyId: '' }, { accountId: b.accountId, region: b.region, keyId: '' }));
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

  /** Closes and deletes the spool file. */
  async remove(): Promise<void> {
    await this.writes;
    await this.file.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
