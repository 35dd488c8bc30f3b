/**
 * Issue 12: runs own their folders. A lock file per run folder (a second writer refused in one line,
 * exit 73; a stale lock from a killed process taken over), `--out` onto a finished run refused unless
 * --force, and manifest.json listing only the files the run wrote (a foreign file is warned about once,
 * left alone, not listed, and still reported by `verify`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { OutputError, UsageError } from '../../src/core/errors.js';
import { exitOf } from '../../src/cli/exit-codes.js';
import { runVerifyCommand } from '../../src/cli/verify.js';
import { pruneRuns } from '../../src/io/runs.js';
import { packageRoot } from '../../src/io/paths.js';
import { acquireRunLock, LOCK_FORMAT, LOCK_STALE_AFTER_MS, lockName } from '../../src/io/run-folder.js';
import { simScenario } from '../../src/sim/index.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { writePart } from '../app/helpers.js';
import { filesUnder, oneLine, runCli, tempDir, useAwsCounter } from '../hostile/helpers.js';
import { fastTiming, memoryLogger, withSim } from '../engine/helpers.js';

const aws = useAwsCounter();

/** A pid that was running a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function writeLock(dir: string, fields: { pid: number; hostname: string }, name = 'run.lock'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ format: LOCK_FORMAT, ...fields, startedAt: '2026-11-28T02:00:00.000Z', command: 'scan' }) + '\n');
  return path;
}

describe('the run lock', () => {
  it('is taken once: a second writer is refused in one line naming the holder (exit 73); released, it can be taken again', async () => {
    const dir = join(await tempDir(), 'run');
    const lock = await acquireRunLock(dir, { what: '--out', command: 'scan' });
    const record = JSON.parse(await readFile(join(dir, 'run.lock'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ format: LOCK_FORMAT, pid: process.pid, hostname: hostname(), command: 'scan' });
    const second = await acquireRunLock(dir, { what: '--out', command: 'scan' }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OutputError);
    expect(exitOf(second).code).toBe(73);
    expect((second as Error).message).toMatch(new RegExp(`^--out .*/run: another kms-rotation-audit run is writing this folder \\(scan, pid ${process.pid} on host "${hostname()}", since .*; lock file run\\.lock\\); wait for it to finish, or give another folder$`));
    await lock.release();
    expect(existsSync(join(dir, 'run.lock'))).toBe(false);
    const again = await acquireRunLock(dir, { what: '--out', command: 'scan' });
    await again.release();
  });

  it('a shard has its own lock, so the shards of one run share a folder', async () => {
    const dir = await tempDir();
    const locks = await Promise.all([0, 1, 2].map((k) => acquireRunLock(dir, { name: lockName({ index: k, count: 3 }), what: '--out', command: `scan shard ${k}/3` })));
    expect((await readdir(dir)).sort()).toEqual(['run.part-0-of-3.lock', 'run.part-1-of-3.lock', 'run.part-2-of-3.lock']);
    await expect(acquireRunLock(dir, { name: lockName({ index: 1, count: 3 }), what: '--out', command: 'scan' })).rejects.toThrow(/another kms-rotation-audit run is writing this folder/);
    for (const lock of locks) await lock.release();
  });

  it('removes the folder it created when nothing else was written', async () => {
    const dir = join(await tempDir(), 'new');
    await (await acquireRunLock(dir, { what: '--out', command: 'scan' })).release();
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    ['a killed process on this host (its pid is gone)', () => ({ pid: deadPid(), hostname: hostname() }), 0],
    ['this very pid from an earlier life (a restarted container is pid 1 again)', () => ({ pid: process.pid, hostname: hostname() }), 0],
    ['another host whose heartbeat stopped 10 minutes ago', () => ({ pid: 1, hostname: 'other-host' }), LOCK_STALE_AFTER_MS + 60_000],
    ['a live pid on this host whose heartbeat stopped (the pid was reused)', () => ({ pid: process.ppid, hostname: hostname() }), LOCK_STALE_AFTER_MS + 60_000],
  ])('a stale lock is taken over: %s', async (_what, makeHolder, age) => {
    const dir = await tempDir();
    const holder = makeHolder();
    const path = await writeLock(dir, holder);
    if (age) await utimes(path, (Date.now() - age) / 1000, (Date.now() - age) / 1000);
    const lock = await acquireRunLock(dir, { what: '--out', command: 'scan' });
    expect(lock.replaced).toMatchObject({ pid: holder.pid });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('a lock file this tool cannot read is stale', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'run.lock'), 'garbage');
    const lock = await acquireRunLock(dir, { what: '--out', command: 'scan' });
    expect(lock.replaced).toMatchObject({ pid: 0 });
    await lock.release();
  });

  it('a live holder is respected: a running pid on this host, or another host with a fresh heartbeat', async () => {
    for (const holder of [{ pid: process.ppid, hostname: hostname() }, { pid: 1, hostname: 'other-host' }]) {
      const dir = await tempDir();
      await writeLock(dir, holder);
      await expect(acquireRunLock(dir, { what: '--out', command: 'scan' })).rejects.toThrow(new RegExp(`pid ${holder.pid} on host "${holder.hostname}"`));
    }
  });

  it('four processes racing for one folder: exactly one gets it', async () => {
    const dir = await tempDir();
    const script = `import { acquireRunLock } from ${JSON.stringify(join(packageRoot, 'dist/src/io/run-folder.js'))};
      try { const lock = await acquireRunLock(process.argv[1], { what: '--out', command: 'scan' }); process.stdout.write('won'); await new Promise((r) => setTimeout(r, 1500)); await lock.release(); }
      catch (err) { process.stdout.write(err.name === 'OutputError' ? 'refused' : 'error ' + err.message); }`; // OutputError: exit 73 (src/cli/exit-codes.ts)
    const results = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.on('close', () => resolve(out));
          }),
      ),
    );
    expect(results.sort()).toEqual(['refused', 'refused', 'refused', 'won']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('--keep never deletes a folder a live run holds the lock of', async () => {
    const root = await tempDir();
    const manifest = (id: string) => JSON.stringify({ format: 'kms-rotation-audit/manifest', scanId: id, files: [] });
    const ids = ['2026-11-01T00-00-00Z-aaaaaa', '2026-11-02T00-00-00Z-bbbbbb', '2026-11-03T00-00-00Z-cccccc'];
    for (const id of ids) {
      await mkdir(join(root, id));
      await writeFile(join(root, id, 'manifest.json'), manifest(id));
    }
    const lock = await acquireRunLock(join(root, ids[0]!), { what: '--out', command: 'report' });
    expect(await pruneRuns(root, 1)).toEqual([join(root, ids[1]!)]);
    await lock.release();
  });
});

describe('--out onto a finished run, and foreign files, through the built CLI (no AWS request)', () => {
  async function finishedRun(dir: string): Promise<string> {
    const run = join(dir, 'run');
    await mkdir(run, { recursive: true });
    await writeFixture(join(run, 'results.json'));
    // The synthetic fixture carries two statuses its facts do not give (test/report/command.test.ts): rendered as it is.
    const rendered = await runCli(['report', '--from', join(run, 'results.json'), '--allow-tampered'], { endpoint: aws.endpoint });
    expect(rendered.code, rendered.stderr).toBe(0);
    return run;
  }

  it('scan --out onto a finished run: exit 64 naming the folder and --force, the run untouched', async () => {
    const dir = await tempDir();
    const run = await finishedRun(dir);
    const before = await filesUnder(run);
    const requests = aws.requests();
    const refused = await runCli(['scan', '--home-region', 'us-east-1', '--out', run], { endpoint: aws.endpoint });
    expect(oneLine(refused.stderr)).toMatch(/^kms-rotation-audit: --out .*\/run: holds a finished run of scan "scan-20261128T021025Z-fixture" \(its manifest\.json\); expected a new or unfinished run folder, or --force to replace that run$/);
    expect(refused.code).toBe(64);
    expect(aws.requests()).toBe(requests);
    expect(await filesUnder(run)).toEqual(before);
  });

  it('scan --out onto a folder another run is writing: exit 73 naming the holder, its lock untouched', async () => {
    const dir = await tempDir();
    const lockPath = await writeLock(join(dir, 'busy'), { pid: process.pid, hostname: hostname() });
    const lockText = await readFile(lockPath, 'utf8');
    const requests = aws.requests();
    const refused = await runCli(['scan', '--home-region', 'us-east-1', '--out', join(dir, 'busy')], { endpoint: aws.endpoint });
    expect(oneLine(refused.stderr)).toMatch(new RegExp(`^kms-rotation-audit: --out .*/busy: another kms-rotation-audit run is writing this folder \\(scan, pid ${process.pid} on host "${hostname()}"`));
    expect(refused.code).toBe(73);
    expect(aws.requests()).toBe(requests);
    expect(await readFile(lockPath, 'utf8')).toBe(lockText);
  });

  it('report --out onto another finished run needs --force; with it, a foreign file there is warned about once, left alone and not listed', async () => {
    const dir = await tempDir();
    const run = await finishedRun(dir);
    const target = await finishedRun(join(dir, 'second'));
    await writeFile(join(target, 'notes.txt'), 'the auditor’s own notes');
    const refused = await runCli(['report', '--from', join(run, 'results.json'), '--allow-tampered', '--out', target], { endpoint: aws.endpoint });
    expect(oneLine(refused.stderr)).toMatch(/--out .*\/second\/run: holds a finished run .*--force to replace that run$/);
    expect(refused.code).toBe(64);

    const forced = await runCli(['report', '--from', join(run, 'results.json'), '--allow-tampered', '--out', target, '--force', '--log-format', 'json'], { endpoint: aws.endpoint });
    expect(forced.code, forced.stderr).toBe(0);
    const warnings = forced.stderr.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; files?: string[] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/^the output folder holds 1 file\(s\) this tool did not write \(notes\.txt\): left alone and not listed in manifest\.json/);
    expect(await readFile(join(target, 'notes.txt'), 'utf8')).toBe('the auditor’s own notes');
    const manifest = JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
    expect(manifest.files.map((f) => f.name)).not.toContain('notes.txt');
    // verify still reports it: an auditor wants to know.
    const verdict = await runVerifyCommand({ target, publicKeyFile: null, online: false, allowUnsigned: true, homeRegion: null, env: {} });
    expect(verdict.verdict).toMatch(/^INVALID .*notes\.txt: in the folder but not listed in manifest\.json/);
    expect(existsSync(join(target, 'run.lock'))).toBe(false);
  });

  it('report re-rendering the folder of --from needs no --force, and keeps the scan’s publish record listed', async () => {
    const dir = await tempDir();
    const run = await finishedRun(dir);
    // As a scan with --publish would have left it: the record listed in the manifest.
    await writeFile(join(run, 'securityhub-publish.json'), '{}\n');
    const manifestPath = join(run, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: { name: string; bytes: number; sha256: string }[] };
    manifest.files.push({ name: 'securityhub-publish.json', bytes: 3, sha256: 'x' });
    await writeFile(manifestPath, JSON.stringify(manifest));
    const result = await runReportCommand({ from: [join(run, 'results.json')], allowTampered: true });
    expect(result.outDir).toBe(run);
    const after = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: { name: string }[] };
    expect(after.files.map((f) => f.name)).toContain('securityhub-publish.json');
  });
});

describe('a merge into the folder its shards wrote', () => {
  it('lists the parts (files of this run, written by its shards) with the reports, and nothing foreign', async () => {
    const root = await tempDir();
    const folder = join(root, 'run-1');
    for (const index of [0, 1]) await writePart(folder, { index, count: 2 });
    await writeFile(join(folder, 'stray.log'), 'x');
    const warnings: string[] = [];
    const merged = await runReportCommand({ from: [folder], merge: { reportsRoot: root, previous: null, failOn: 'never' }, allowTampered: true, warn: (_fields, message) => warnings.push(message) });
    expect(merged.outDir).toBe(folder);
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
    expect(manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(['results.json', 'results.part-0-of-2.json', 'results.part-1-of-2.json', 'report.pdf']));
    expect(manifest.files.map((f) => f.name)).not.toContain('stray.log');
    expect(warnings).toEqual([expect.stringMatching(/this tool did not write \(stray\.log\)/)]);
    // Merged again: a finished run now, so only with --force.
    await expect(runReportCommand({ from: [folder], merge: { reportsRoot: root, previous: null }, allowTampered: true })).rejects.toThrow(/run-1: holds a finished run of scan "run-1" .*--force/);
    await runReportCommand({ from: [folder], merge: { reportsRoot: root, previous: null, force: true }, allowTampered: true });
  });
});

describe('a scan owns its folder (in-process, against the simulator)', () => {
  const scenario = () => simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000001', rotation: { enabled: false } }] }] });
  const config = (out: string, force = false): Config => configSchema.parse({ out, force, logFormat: 'json', progress: false, homeRegion: 'us-east-1', regions: ['us-east-1'], previous: null, failOn: 'never' }) as Config;

  it('lists only its own files, warns once about a foreign one, refuses to run again without --force, replaces the run with it', async () => {
    const out = join(await tempDir(), 'run');
    await mkdir(out);
    await writeFile(join(out, 'README.txt'), 'not the tool’s');
    await withSim({ scenario: scenario() }, async (sim) => {
      const deps = { endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, timing: fastTiming };
      const logger = memoryLogger();
      const first = await runScanJob(config(out), { env: {}, logger: logger as never, deps });
      expect(first.exitCode).toBe(0);
      const warnings = logger.records.filter((r) => r.level === 'warn');
      expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/^the output folder holds 1 file\(s\) this tool did not write \(README\.txt\)/)]);
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
      expect(manifest.files.map((f) => f.name)).toEqual(['controls.csv', 'coverage.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'report.html', 'report.pdf', 'results.json']);
      expect(existsSync(join(out, 'run.lock'))).toBe(false);

      const total = (): number => Object.values(sim.stats().calls).reduce((a, b) => a + b, 0);
      const calls = total();
      expect(calls).toBeGreaterThan(0);
      await expect(runScanJob(config(out), { env: {}, logger: memoryLogger() as never, deps })).rejects.toThrow(UsageError);
      expect(total()).toBe(calls); // refused before any AWS call
      const forced = await runScanJob(config(out, true), { env: {}, logger: memoryLogger() as never, deps });
      expect(forced.outcome.header.scanId).not.toBe(first.outcome.header.scanId);
      expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ scanId: forced.outcome.header.scanId });
      expect(await readFile(join(out, 'README.txt'), 'utf8')).toBe('not the tool’s');
    });
  });
});
