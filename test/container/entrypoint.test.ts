/**
 * The container's exact ENTRYPOINT and CMD, read from the Dockerfile, run here without Docker:
 * the runtime stage is rebuilt as a folder tree (./image.ts), `kms-rotation-audit` is found on
 * PATH through the image's symlink and shebang, the environment is the image's ENV plus the
 * compose demo-scan service's, and /reports is a temp folder.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type Simulator } from '../../src/sim/index.js';
import { buildImageRoot, composeService, givenEnvironment, makeTempDir, mapPaths, readDockerfile, removeTempDirs, runEntrypoint, runFolders, type ImageRoot, type RunResult } from './image.js';

/** One PASS key, one FAIL key (rotation off) and one AWS managed key, in two accounts. */
function smallOrganization() {
  return simScenario({
    accounts: [
      { id: '111111111111', name: 'management', keys: [{ region: 'us-east-1', rotation: { enabled: true, periodDays: 365 } }] },
      { id: '222222222222', name: 'workload', keys: [{ region: 'eu-west-1' }, { region: 'us-east-1', keyManager: 'AWS', rotation: { enabled: true } }] },
    ],
  });
}

const tempDir = makeTempDir;

afterAll(removeTempDirs);

/** Path, size and mtime of every file and folder under dir (not following symlinks). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      const stat = lstatSync(path);
      out.push(`${relative(dir, path)} ${stat.size} ${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}

const explain = (result: RunResult): string => `exit ${result.code} signal ${result.signal}\nstderr:\n${result.stderr.slice(-4000)}\nstdout:\n${result.stdout.slice(-2000)}`;

describe('the image entrypoint against the simulator', () => {
  const image = readDockerfile();
  let imageRoot: ImageRoot;
  let sim: Simulator;

  beforeAll(async () => {
    imageRoot = buildImageRoot(image);
    sim = await startSimulator({ scenario: smallOrganization() });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  /** demo-scan's environment, pointed at this test's simulator (its endpoint and issued keys). */
  function demoScanEnvironment(): Record<string, string> {
    const given = givenEnvironment(composeService('demo-scan'));
    expect(Object.keys(given).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
    return { ...given, AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: sim.baseCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.baseCredentials.secretAccessKey };
  }

  it('ENTRYPOINT + CMD with the image ENV and demo-scan environment finish a run under the /reports volume', async () => {
    const reports = tempDir('kra-reports-');
    const home = tempDir('kra-home-');
    const tmp = tempDir('kra-tmp-');
    const env: Record<string, string> = { ...mapPaths(image.env, new Map([['/reports', reports], ['/home/audit', home]])), ...demoScanEnvironment(), TMPDIR: tmp };
    expect(env.KMS_ROTATION_AUDIT_REPORTS_ROOT).toBe(reports);

    const result = await runEntrypoint(imageRoot, [...image.entrypoint, ...image.cmd], env, { cwd: join(imageRoot.root, image.workdir) });

    // 1 = FAIL findings (the workload key has rotation off): the scheduler sees a non-compliant night.
    expect(result.code, explain(result)).toBe(1);
    const runs = runFolders(reports);
    expect(runs.finished, explain(result)).toHaveLength(1);
    expect(runs.latest).toBe(runs.finished[0]);
  });

  it('writes nothing outside /reports and /tmp: unprivileged user, no HOME, read-only working folder and image files', async () => {
    // As root, chmod 0555 stops nobody: run as an unprivileged uid, as the image does.
    const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const reports = tempDir('kra-reports-');
    const tmp = tempDir('kra-tmp-');
    const cwd = tempDir('kra-cwd-');
    for (const dir of [reports, tmp]) if (unprivileged.uid !== undefined) chownSync(dir, unprivileged.uid, unprivileged.gid);
    chmodSync(cwd, 0o555);
    const before = snapshot(imageRoot.root);

    const env: Record<string, string> = { ...mapPaths(image.env, new Map([['/reports', reports]])), ...demoScanEnvironment(), TMPDIR: tmp };
    delete env.HOME;
    const result = await runEntrypoint(imageRoot, [...image.entrypoint, ...image.cmd], env, { cwd, ...unprivileged });

    expect(result.code, explain(result)).toBe(1);
    expect(runFolders(reports).finished, explain(result)).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
    expect(snapshot(imageRoot.root)).toEqual(before);
  });
});

describe('docker compose --profile demo, without Docker', () => {
  it('the sim service command serves with the fixed demo credentials, passes its healthcheck, and demo-scan finishes a run', async () => {
    const image = readDockerfile();
    const imageRoot = buildImageRoot(image);
    const simService = composeService('sim');
    const demoScan = composeService('demo-scan');
    const composePort = simService.command![simService.command!.indexOf('--port') + 1]!;
    // Any free port on loopback instead of 0.0.0.0:4566 (this machine may be running other tests).
    const args = simService.command!.map((arg, i, all) => (all[i - 1] === '--port' ? '0' : all[i - 1] === '--host' ? '127.0.0.1' : arg));

    const sim = await startLongRunning(imageRoot, [...image.entrypoint, ...args], mapPaths(image.env, new Map()));
    try {
      const printed = sim.printed;
      const demoEnv = givenEnvironment(demoScan);
      expect(printed.AWS_ACCESS_KEY_ID).toBe(demoEnv.AWS_ACCESS_KEY_ID);
      expect(printed.AWS_SECRET_ACCESS_KEY).toBe(demoEnv.AWS_SECRET_ACCESS_KEY);
      expect(printed.AWS_REGION).toBe(demoEnv.AWS_REGION);
      const endpoint = new URL(printed.AWS_ENDPOINT_URL!);

      const healthcheck = simService.healthcheck!.test.slice(1).map((part) => part.replace(`127.0.0.1:${composePort}`, endpoint.host));
      const health = await runEntrypoint(imageRoot, healthcheck, {}, { timeoutMs: 10_000 });
      expect(health.code, explain(health)).toBe(0);

      const reports = tempDir('kra-reports-');
      const env = { ...mapPaths(image.env, new Map([['/reports', reports], ['/home/audit', tempDir('kra-home-')]])), ...demoEnv, AWS_ENDPOINT_URL: endpoint.origin, TMPDIR: tempDir('kra-tmp-') };
      const result = await runEntrypoint(imageRoot, [...image.entrypoint, ...(demoScan.command ?? image.cmd)], env, { cwd: join(imageRoot.root, image.workdir), timeoutMs: 50_000 });
      // 0, 1 (findings) and 2 (incomplete coverage) are all finished runs; 64 and 70 are not.
      expect([0, 1, 2], explain(result)).toContain(result.code);
      const runs = runFolders(reports);
      expect(runs.finished, explain(result)).toHaveLength(1);
      expect(runs.latest).toBe(runs.finished[0]);
    } finally {
      await sim.stop();
    }
  });
});

/** Starts a serving command and resolves once it has printed its four NAME=value lines. */
async function startLongRunning(imageRoot: ImageRoot, argv: string[], env: Record<string, string>): Promise<{ printed: Record<string, string>; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const [command, ...args] = argv;
  const path = [imageRoot.binDir, join(process.execPath, '..'), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  const cwd = join(imageRoot.root, 'app');
  mkdirSync(cwd, { recursive: true });
  const child = spawn(command!, args, { env: { ...env, PATH: path }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no AWS_* lines within 20 s\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 20_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before serving\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = Object.fromEntries([...stdout.matchAll(/^(AWS_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      if (['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].every((name) => name in lines)) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw err;
  });
  return {
    printed,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
