/**
 * Upload of a finished run folder to S3 (a container's disk goes away): every file, manifest.json
 * last, so a prefix holding manifest.json is a complete upload, exactly as on local disk.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { LOCK_FILE } from './run-folder.js';
import { optionSource } from '../core/sources.js';
import { join } from 'node:path';
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { IncompleteError, UsageError } from '../core/errors.js';

export interface S3Location {
  bucket: string;
  prefix: string; // '' or ending in '/'
}

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function parseS3Url(url: string, flag = '--upload'): S3Location {
  const match = S3_URL.exec(url);
  if (!match) throw new UsageError(`${flag}: expected s3://bucket/prefix, got ${JSON.stringify(url)}`);
  const rawPrefix = match[2] ?? '';
  return { bucket: match[1]!, prefix: rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : rawPrefix + '/' };
}

/**
 * With an endpoint override (S3-compatible stores, emulators): path-style addressing, and checksums
 * only where the API requires them, since many such stores do not decode the aws-chunked bodies
 * that the SDK's default flexible checksums send.
 */
export function s3ClientConfig(env: NodeJS.ProcessEnv, region: string): S3ClientConfig {
  // The per-service variable wins over the global one, as in the SDK's own precedence.
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (!endpoint) return { region };
  return { region, endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' };
}

export interface UploadOptions {
  client: S3Client;
  location: S3Location;
  /** SSE-KMS (with this key id/ARN/alias, or the AWS managed aws/s3 key when keyId is null); null = the bucket's default encryption. */
  sseKms: { keyId: string | null } | null;
  /** The run's sub-prefix under location.prefix, normally the scan id. */
  runName: string;
}

/**
 * Uploads the run: the files manifest.json lists, its signature, and manifest.json last; returns the
 * object keys. Files in the folder that the run did not write (not listed) stay local. A folder
 * without a readable manifest uploads every regular file but temporary and lock files.
 */
export async function uploadRun(dir: string, opts: UploadOptions): Promise<string[]> {
  const present = new Set((await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name));
  let names: string[];
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files?: { name?: unknown }[] };
    if (!Array.isArray(manifest.files)) throw new Error('no file list');
    names = manifest.files.map((f) => f.name).filter((name): name is string => typeof name === 'string' && present.has(name) && !name.includes('/'));
    if (present.has('manifest.sig.json')) names.push('manifest.sig.json');
    names.push('manifest.json');
  } catch {
    names = [...present].filter((n) => !n.includes('.tmp') && !LOCK_FILE.test(n)).sort();
  }
  const ordered = [...names.filter((n) => n !== 'manifest.json'), ...names.filter((n) => n === 'manifest.json')];
  return uploadFiles(dir, ordered, opts);
}

/** Uploads the named files of `dir` to `<prefix><runName>/<name>`, in the order given; returns the object keys. */
export async function uploadFiles(dir: string, names: string[], opts: UploadOptions): Promise<string[]> {
  const keys: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const key = `${opts.location.prefix}${opts.runName}/${name}`;
    await opts.client.send(
      new PutObjectCommand({
        Bucket: opts.location.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: (await stat(path)).size,
        ContentType: contentType(name),
        ...(opts.sseKms ? { ServerSideEncryption: 'aws:kms' as const, ...(opts.sseKms.keyId ? { SSEKMSKeyId: opts.sseKms.keyId } : {}) } : {}),
      }),
    );
    keys.push(key);
  }
  return keys;
}

function contentType(name: string): string {
  if (name.endsWith('.pdf')) return 'application/pdf';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.sh')) return 'text/x-shellscript';
  return 'application/octet-stream';
}

/** The upload settings of the one option schema (scan and the shard merge share them). */
export interface UploadSettings {
  upload: string | null;
  uploadSseKms: boolean;
  uploadKmsKeyId: string | null;
}

export interface PublishOptions {
  env: NodeJS.ProcessEnv;
  region: string;
  /** Under `<prefix>/<runName>/`: the scan id or the run folder's name. */
  runName: string;
  /** Only these files of the folder, in this order (a shard's part); default the whole run, manifest last. */
  files?: string[];
  /** Credentials for S3; default the standard provider chain. */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Uploads a finished run folder (or named files of it) where --upload says, with SSE-KMS when
 * asked. A failed upload is exit 2 naming the destination: the files are complete on local disk.
 */
export async function publishToS3(dir: string, settings: UploadSettings, opts: PublishOptions): Promise<{ location: S3Location; keys: string[] } | null> {
  if (!settings.upload) return null;
  const from = optionSource(settings, 'upload');
  const location = parseS3Url(settings.upload, from);
  const client = new S3Client({ ...s3ClientConfig(opts.env, opts.region), ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  const upload: UploadOptions = { client, location, runName: opts.runName, sseKms: settings.uploadSseKms || settings.uploadKmsKeyId ? { keyId: settings.uploadKmsKeyId } : null };
  try {
    const keys = opts.files ? await uploadFiles(dir, opts.files, upload) : await uploadRun(dir, upload);
    return { location, keys };
  } catch (err) {
    const error = err as Error & { name?: string };
    const what = opts.files ? opts.files.join(', ') : dir;
    throw new IncompleteError(`${from}: uploading ${what} to ${settings.upload} failed with ${error.name ?? 'Error'} (${error.message}); the files are complete on local disk in ${dir}`);
  } finally {
    client.destroy();
  }
}
