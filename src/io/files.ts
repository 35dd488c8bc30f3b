/**
 * The one atomic writer, and file digests. Every file this tool writes whole goes through here: the
 * bytes land under a temporary name beside the target (`<name>.tmp-<pid>`, TEMP_NAME) and rename(2)
 * puts them in place, so a reader, or a crash, finds the old file or the new one, never half of one.
 * On an error the temporary file is removed and the target is left as it was.
 *
 *   writeFileAtomic(path, data)   a string or buffer, whole (optionally with a mode, and fsync)
 *   copyFileAtomic(from, path)    a copy of another file
 *   symlinkAtomic(target, path)   a symbolic link replaced in one step (the reports root's latest)
 *   AtomicFile.open(path)         a stream: write to .stream (or pipe into it), then commit() or abort()
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { copyFile, open, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';

/** A temporary name of this tool's (src/io/run-folder.ts counts such files as the run's own). */
export const TEMP_NAME = /\.tmp-\d+$/;

/** Where the bytes for `path` are written before the rename: `<path>.tmp-<pid>` (matches TEMP_NAME). */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

interface WriteFileAtomicOptions {
  /** The file's mode, set again after the write (the umask may have narrowed it at creation). */
  mode?: number;
  /** fsync the bytes before the rename: the new file then survives a power loss, not only a crash. */
  fsync?: boolean;
}

/** Writes `data` to a temp name and renames it over `path`. */
export async function writeFileAtomic(path: string, data: string | Buffer, opts: WriteFileAtomicOptions = {}): Promise<void> {
  await replaceAtomically(path, tempPath(path), async (tmp) => {
    const handle = await open(tmp, 'w', opts.mode);
    try {
      await handle.writeFile(data);
      if (opts.mode !== undefined) await handle.chmod(opts.mode);
      if (opts.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** Copies `from` to a temp name and renames it over `path`. */
export async function copyFileAtomic(from: string, path: string): Promise<void> {
  await replaceAtomically(path, tempPath(path), (tmp) => copyFile(from, tmp));
}

/**
 * Points the symbolic link `path` at `target` with a rename, so a reader never sees it missing or
 * half-made. Its temporary name is hidden (`.<name>.tmp-<pid>`): it sits among the run folders.
 */
export async function symlinkAtomic(target: string, path: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(tempPath(path))}`);
  await rm(tmp, { force: true }); // left by an earlier process with this pid
  await replaceAtomically(path, tmp, (link) => symlink(target, link, 'dir'));
}

async function replaceAtomically(path: string, tmp: string, write: (tmp: string) => Promise<void>): Promise<void> {
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

interface AtomicFileOptions {
  /** The stream's default encoding for string chunks. */
  encoding?: BufferEncoding;
}

/**
 * A file written as a stream under its temporary name. The writer writes to `stream` (write(), or a
 * pipe or pipeline into it) and ends it; commit() then renames the finished file into place, abort()
 * destroys the stream and removes the temporary file. Until commit() the target is untouched.
 */
export class AtomicFile {
  readonly tempPath: string;
  readonly stream: WriteStream;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  private constructor(
    readonly path: string,
    opts: AtomicFileOptions,
  ) {
    this.tempPath = tempPath(path);
    this.stream = createWriteStream(this.tempPath, opts.encoding ? { encoding: opts.encoding } : {});
  }

  static open(path: string, opts: AtomicFileOptions = {}): AtomicFile {
    return new AtomicFile(path, opts);
  }

  /** Writes a chunk, waiting when the stream's buffer is full (memory stays bounded). */
  async write(chunk: string | Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /**
   * Waits until the stream has finished and closed (the writer ends it), runs `beforeRename` on the
   * temporary file, and renames it over the target. On any error the temporary file is removed.
   */
  async commit(beforeRename?: (tempPath: string) => Promise<unknown>): Promise<void> {
    if (this.state !== 'open') throw new Error(`${this.path}: commit after ${this.state === 'committed' ? 'commit' : 'abort'}`);
    try {
      await finished(this.stream); // rejects on a write error or a stream destroyed before its end
      await this.closed();
      await beforeRename?.(this.tempPath);
      await rename(this.tempPath, this.path);
      this.state = 'committed';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Discards what was written: the target stays as it was. Safe to call twice; nothing to do after commit. */
  async abort(): Promise<void> {
    if (this.state === 'committed') return;
    this.state = 'aborted';
    // Writes still queued fail once the stream is destroyed: that is expected here, not a crash.
    this.stream.on('error', () => undefined);
    this.stream.destroy();
    // Removed only once closed: a stream still opening its file would create it again afterwards.
    await this.closed();
    await rm(this.tempPath, { force: true });
  }

  private async closed(): Promise<void> {
    if (!this.stream.closed) await new Promise<void>((resolve) => this.stream.once('close', () => resolve()));
  }
}

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export interface NamedFileDigest extends FileDigest {
  /** The file name it was given (its base name: the folder it came from belongs to another machine). */
  name: string;
}

export async function namedFileDigest(path: string): Promise<NamedFileDigest> {
  return { name: basename(path), ...(await fileDigest(path)) };
}

export async function fileDigest(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return { bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
