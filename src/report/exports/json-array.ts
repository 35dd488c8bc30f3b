/**
 * A JSON array file written one record per line ("[\n{…},\n{…}\n]\n"): valid JSON for any parser, and
 * streamable line by line for 100k-key runs (memory stays at one record). Written under a temp name,
 * renamed when complete, so a crash leaves no half-written file under the final name.
 */
import { AtomicFile } from '../../io/files.js';

export class JsonArrayWriter {
  private first = true;
  private constructor(private readonly file: AtomicFile) {}

  static open(path: string): JsonArrayWriter {
    const writer = new JsonArrayWriter(AtomicFile.open(path, { encoding: 'utf8' }));
    writer.file.stream.write('[\n');
    return writer;
  }

  async write(record: unknown): Promise<void> {
    const line = (this.first ? '' : ',\n') + JSON.stringify(record);
    this.first = false;
    await this.file.write(line);
  }

  async close(): Promise<void> {
    this.file.stream.end((this.first ? '' : '\n') + ']\n');
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }
}
