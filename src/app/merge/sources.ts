/**
 * What `report --from` was given: one results document to re-render, or the parts of a sharded run
 * to merge (what `merge --from` is always given) — as files, folders (searched recursively for
 * results.part-K-of-N.json) or S3 prefixes
 * (listed recursively with ListObjectsV2 and downloaded, since a merge reads each part once, in
 * step with the others).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { IncompleteError, UsageError } from '../../core/errors.js';
import { AtomicFile } from '../../io/files.js';
import { parseS3Url } from '../../io/s3.js';
import type { PartInput } from './parts.js';
import { partOfFileName, RESULTS_FILE } from '../../core/run-files.js';

export type FromInputs = { kind: 'results'; path: string } | { kind: 'parts'; parts: PartInput[] };

export interface SourceOptions {
  /** S3 client for s3:// sources (created on first use). */
  s3: () => S3Client;
  /** Where S3 parts are downloaded (created when needed; the caller removes it). */
  downloadDir: string;
  /** `merge`: every source is (or holds) shard parts, never one results document to re-render. */
  partsOnly?: boolean;
}

export function isS3(from: string): boolean {
  return from.startsWith('s3://');
}

/**
 * One plain results file (or a folder holding results.json and no parts) is a re-render, unless
 * `partsOnly`; anything else is a merge of parts (whose headers then decide; a complete results file
 * among them is refused).
 */
export async function resolveFrom(from: string[], opts: SourceOptions): Promise<FromInputs> {
  if (from.length === 0) throw new UsageError(opts.partsOnly ? '--from: expected shard parts (files, folders or s3://bucket/prefix/)' : '--from: expected a results.json file, or shard parts (files, folders or s3://bucket/prefix/)');
  const single = from.length === 1 && !opts.partsOnly;
  const parts: PartInput[] = [];
  for (const source of from) {
    if (isS3(source)) {
      parts.push(...(await downloadParts(source, opts)));
      continue;
    }
    const path = resolve(source);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const found = await findParts(path);
      if (found.length > 0) parts.push(...found.map((file) => ({ source: file, path: file })));
      else if (single && (await stat(join(path, RESULTS_FILE)).catch(() => null))?.isFile()) return { kind: 'results', path: join(path, RESULTS_FILE) };
      else throw new UsageError(`--from ${source}: no results.part-K-of-N.json files in that folder${single ? ' and no results.json' : ''}`);
      continue;
    }
    // A file (or a missing path: opening it names the problem).
    if (single && !partOfFileName(basename(path))) return { kind: 'results', path };
    parts.push({ source, path });
  }
  // The same file reached twice (a folder and a file in it) is one part, not a duplicate shard.
  const seen = new Set<string>();
  return { kind: 'parts', parts: parts.filter((part) => !seen.has(part.path) && seen.add(part.path) !== undefined) };
}

async function findParts(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) found.push(...(await findParts(path)));
    else if (entry.isFile() && partOfFileName(entry.name)) found.push(path);
  }
  return found.sort();
}

/** Every results.part-K-of-N.json object under the prefix (recursively), downloaded. */
async function downloadParts(url: string, opts: SourceOptions): Promise<PartInput[]> {
  const { bucket, prefix } = parseS3Url(url, '--from');
  const client = opts.s3();
  const keys: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key && partOfFileName(basename(object.Key))) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw s3Failure(url, 'ListObjectsV2', err);
  }
  if (keys.length === 0) throw new UsageError(`--from ${url}: no results.part-K-of-N.json objects under that prefix`);
  await mkdir(opts.downloadDir, { recursive: true });
  const parts: PartInput[] = [];
  for (const [i, key] of keys.sort().entries()) {
    const path = join(opts.downloadDir, `${i}-${basename(key)}`);
    const source = `s3://${bucket}/${key}`;
    let file: AtomicFile | null = null;
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      file = AtomicFile.open(path);
      await pipeline(object.Body as Readable, file.stream);
      await file.commit();
    } catch (err) {
      await file?.abort();
      throw s3Failure(source, 'GetObject', err);
    }
    parts.push({ source, path });
  }
  return parts;
}

/** Exit status 2 (not 64): a scheduler may retry a merge that could not read S3. */
function s3Failure(url: string, operation: string, err: unknown): IncompleteError {
  const error = err as Error & { name?: string };
  return new IncompleteError(`--from ${url}: s3:${operation} failed with ${error.name ?? 'Error'} (${error.message})`);
}

/** Where S3 parts are downloaded: beside the run folders (a container's /tmp is often small). */
export function downloadDirFor(out: string | null, reportsRoot: string): string {
  return join(resolve(out ?? reportsRoot), `.parts-download-${process.pid}`);
}

export async function removeDownloads(dir: string): Promise<void> {
  // ENOTDIR: --out is a file, so nothing was downloaded there (that error is reported, not this one).
  await rm(dir, { recursive: true, force: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOTDIR') throw err;
  });
}
