/** Atomic file writes (temp name + rename) and digests, shared by every reporter. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';

export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Writes `data` to a temp name and renames it over `path`. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
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
