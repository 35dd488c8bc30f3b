/**
 * The built CLI (dist/src/cli.js) run as a child process against a counting HTTP endpoint standing
 * in for AWS: a test can assert the exit status, that stderr is one line without a stack trace,
 * and that no AWS request was sent.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { packageRoot } from '../../src/io/paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AwsCounter {
  endpoint: string;
  requests: () => number;
  close: () => Promise<void>;
}

/** An HTTP server on port 0 that answers every request 500 and counts them. */
export async function awsCounter(): Promise<AwsCounter> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    req.resume();
    res.statusCode = 500;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests: () => n, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The test file's request counter: started before its tests, closed after them together with the
 * temporary folders they made (removeTempDirs). Read its members inside tests only.
 */
export function useAwsCounter(): AwsCounter {
  let counter: AwsCounter | null = null;
  const current = (): AwsCounter => {
    if (!counter) throw new Error('useAwsCounter: read outside a test (the counter starts in beforeAll)');
    return counter;
  };
  beforeAll(async () => {
    counter = await awsCounter();
  });
  afterAll(async () => {
    await counter?.close();
    await removeTempDirs();
  });
  return {
    get endpoint() {
      return current().endpoint;
    },
    requests: () => current().requests(),
    close: () => current().close(),
  };
}

/** Runs the CLI with a clean environment pointed at `endpoint` (base credentials are dummies). */
export function runCli(args: string[], opts: { endpoint: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number; uid?: number; gid?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.env.KRA_TEST_CLI ?? join(packageRoot, 'dist/src/cli.js'), ...args], {
      cwd: opts.cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: opts.cwd ?? tmpdir(),
        AWS_ENDPOINT_URL: opts.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file below `dir` (relative paths, sorted). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  }
  if ((await stat(dir).catch(() => null))?.isDirectory()) await walk(dir);
  return out.sort();
}

const made: string[] = [];
export async function tempDir(prefix = 'kra-hostile-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** One line on stderr, the tool's prefix, no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  if (lines.length !== 1 || !lines[0]!.startsWith('kms-rotation-audit: ') || /\n\s+at |internal error/.test(stderr)) {
    throw new Error(`expected one line on stderr, got ${lines.length}:\n${stderr}`);
  }
  return lines[0]!;
}
