/**
 * A JSON array file written one record per line ("[\n{…},\n{…}\n]\n"): valid JSON for any parser, and
 * streamable line by line for 100k-key runs (memory stays at one record). Written under a temp name,
 * renamed when complete, so a crash leaves no half-written file under the final name.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { tempPath } from '../../io/files.js';

export class JsonArrayWriter {
  private first = true;
  private constructor(
    private readonly path: string,
    private readonly tmp: string,
    private readonly out: WriteStream,
  ) {}

  static open(path: string): JsonArrayWriter {
    const tmp = tempPath(path);
    const writer = new JsonArrayWriter(path, tmp, createWriteStream(tmp, { encoding: 'utf8' }));
    writer.out.write('[\n');
    return writer;
  }

  async write(record: unknown): Promise<void> {
    const line = (this.first ? '' : ',\n') + JSON.stringify(record);
    this.first = false;
    if (!this.out.write(line)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end((this.first ? '' : '\n') + ']\n');
    await once(this.out, 'finish');
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    this.out.on('error', () => undefined);
    this.out.destroy();
    await rm(this.tmp, { force: true });
  }
}
