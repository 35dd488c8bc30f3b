/**
 * Digests of what a report was made with besides the results: the control mapping data
 * (frameworks/ and a --controls file), the report wording (templates/report/) and the exceptions
 * register the scan applied. Recorded in manifest.json, so the signature covers them too.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { namedFileDigest, type NamedFileDigest } from '../io/files.js';

export { namedFileDigest, type NamedFileDigest };

/** A folder: every regular file below it (sorted by relative path), and one SHA-256 over that listing. */
export interface TreeDigest {
  /** The folder as shown to the reader (e.g. `frameworks/`), never an absolute path of this machine. */
  name: string;
  files: number;
  /** SHA-256 of the lines `<sha256>  <relative path>\n`, sorted by path: `sha256sum` output, so it can be recomputed. */
  sha256: string;
}

export async function treeDigest(dir: string, name: string): Promise<TreeDigest> {
  const paths = (await listFiles(dir)).map((path) => relative(dir, path).split('\\').join('/')).sort();
  const listing = [];
  for (const path of paths) listing.push(`${createHash('sha256').update(await readFile(join(dir, path))).digest('hex')}  ${path}\n`);
  return { name, files: paths.length, sha256: createHash('sha256').update(listing.join('')).digest('hex') };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
