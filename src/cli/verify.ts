/**
 * `kms-rotation-audit verify RUN_DIR | s3://bucket/prefix/`: the auditor's check of a run folder
 * (src/app/verify.ts). Exit 0 valid, 1 invalid, 64 bad usage (no such folder, bad flag).
 * An S3 prefix is downloaded object by object (the objects directly under it) into a private
 * temporary folder, checked there exactly like a local folder, and the folder is removed.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { homeRegionOf } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from './exit-codes.js';
import { isDirectory, verdictLine, verifyRunFolder } from '../app/verify.js';
import { parseS3Url, s3ClientConfig } from '../io/s3.js';

export interface VerifyCommandOptions {
  target: string;
  publicKeyFile: string | null;
  online: boolean;
  allowUnsigned: boolean;
  homeRegion: string | null;
  env: NodeJS.ProcessEnv;
  /** KMS and S3 client settings (tests); default: the SDK's chain and AWS_ENDPOINT_URL. */
  clientConfig?: { credentials?: S3ClientConfig['credentials']; endpoint?: string };
}

export interface VerifyCommandResult {
  exitCode: number;
  verdict: string;
  /** Every problem and note, one line each (the verdict names the first). */
  details: string[];
}

export async function runVerifyCommand(opts: VerifyCommandOptions): Promise<VerifyCommandResult> {
  const trustedPublicKeyPem = opts.publicKeyFile ? await readTrustedKey(opts.publicKeyFile) : null;
  const region = homeRegionOf(opts.homeRegion, opts.env);
  const online = opts.online ? { region, ...(opts.clientConfig?.credentials ? { credentials: opts.clientConfig.credentials } : {}), ...(opts.clientConfig?.endpoint ? { endpoint: opts.clientConfig.endpoint } : {}) } : null;
  const check = async (dir: string) => {
    const outcome = await verifyRunFolder(dir, { online, trustedPublicKeyPem, allowUnsigned: opts.allowUnsigned });
    return {
      exitCode: outcome.valid ? ExitCode.Ok : ExitCode.Findings,
      verdict: verdictLine(opts.target, outcome),
      details: [...outcome.problems.map((p) => `problem: ${p}`), ...outcome.notes.map((n) => `note: ${n}`)],
    };
  };
  if (opts.target.startsWith('s3://')) {
    const dir = await mkdtemp(join(tmpdir(), 'kms-rotation-audit-verify-'));
    try {
      const unreadable = await downloadRun(opts.target, dir, new S3Client({ ...s3ClientConfig(opts.env, region), ...(opts.clientConfig?.credentials ? { credentials: opts.clientConfig.credentials } : {}), ...(opts.clientConfig?.endpoint ? { endpoint: opts.clientConfig.endpoint, forcePathStyle: true } : {}) }));
      // A run that cannot be read cannot be relied on: INVALID, as a damaged folder is.
      if (unreadable) return { exitCode: ExitCode.Findings, verdict: unreadable, details: [] };
      return await check(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const dir = resolve(opts.target);
  if (!(await isDirectory(dir))) throw new UsageError(`verify: ${opts.target} is not a folder (expected a run folder holding manifest.json, or s3://bucket/prefix/)`);
  return check(dir);
}

async function readTrustedKey(path: string): Promise<string> {
  try {
    const pem = await readFile(path, 'utf8');
    if (!pem.includes('PUBLIC KEY-----')) throw new Error('no PEM public key');
    return pem;
  } catch (err) {
    throw new UsageError(`--public-key ${path}: expected a PEM public key file (-----BEGIN PUBLIC KEY-----) (${(err as Error).message})`);
  }
}

/** The objects directly under the prefix (a run's files; no sub-prefixes), by their names. */
/** Downloads the run; the INVALID verdict when it cannot be read, else null. */
async function downloadRun(url: string, dir: string, client: S3Client): Promise<string | null> {
  const { bucket, prefix } = parseS3Url(url, 'verify');
  try {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length) ?? '';
        if (name === '' || name.startsWith('.') || name.includes('\\')) continue;
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        await pipeline(answer.Body as Readable, createWriteStream(join(dir, name)));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    return `INVALID ${url}: cannot read the run from S3 (${(err as { name?: string }).name ?? 'Error'})`;
  } finally {
    client.destroy();
  }
  return null;
}
