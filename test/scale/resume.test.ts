/**
 * --resume after a crash: a scan in a child process is SIGKILLed once some accounts are
 * checkpointed; `latest` still points at the previous finished run; the resumed run scans only the
 * accounts not yet finished, and its reports equal an uninterrupted run's (evaluated_at aside).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { packageRoot } from '../../src/io/paths.js';
import { parseCheckpoint } from '../../src/engine/checkpoint.js';
import { generateScenario } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/types.js';
import { fastTiming, memoryLogger, withSim } from '../engine/helpers.js';
import { removeTempDirs, tempDir } from '../app/helpers.js';

afterAll(removeTempDirs);

const cli = join(packageRoot, 'dist/src/cli.js');

function config(values: Record<string, unknown>): Config {
  return configSchema.parse({ progress: false, homeRegion: 'us-east-1', failOn: 'never', logFormat: 'json', concurrency: 32, ...values }) as Config;
}

function job(sim: Simulator, values: Record<string, unknown>) {
  return runScanJob(config(values), { env: {}, logger: memoryLogger() as never, deps: { endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, timing: fastTiming } });
}

async function csvWithout(path: string, drop: string): Promise<string[][]> {
  const rows = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).map((line) => line.split(','));
  const skip = rows[0]!.indexOf(drop);
  return rows.map((row) => row.filter((_, i) => i !== skip));
}

/** Polls (the child is another process: there is no clock to inject) until `done` or the deadline. */
async function waitFor<T>(probe: () => Promise<T | null>, ms: number): Promise<T | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('resume after a crash', () => {
  it('a scan killed midway, resumed: finished accounts are not scanned again and the reports equal an uninterrupted run', async () => {
    expect(existsSync(cli), `${cli} is built by npm run build (npm test runs it first)`).toBe(true);
    const scenario = generateScenario({ seed: 21, accounts: 30, regions: 2, keysPerRegion: 3 });
    const root = await tempDir('kra-resume-');
    await withSim({ scenario, latency: { default: 20 } }, async (sim) => {
      await job(sim, { reportsRoot: root, scanId: 'previous' });
      expect(await readlink(join(root, 'latest'))).toBe('previous');

      const child = spawn(process.execPath, [cli, 'scan', '--scan-id', 'killed', '--reports-root', root, '--concurrency', '2', '--log-format', 'json'], {
        env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: sim.baseCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.baseCredentials.secretAccessKey, AWS_REGION: 'us-east-1' },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const checkpoint = join(root, 'killed', 'checkpoint.jsonl');
      const accountsDone = async (): Promise<number | null> => {
        const bytes = await readFile(checkpoint).catch(() => null);
        const n = bytes ? parseCheckpoint(bytes, checkpoint).state.accounts.size : 0;
        return n >= 6 ? n : null;
      };
      expect(await waitFor(accountsDone, 30_000)).not.toBeNull();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      // Killed: no manifest, `latest` unmoved, the checkpoint and spool left for --resume.
      expect(existsSync(join(root, 'killed', 'manifest.json'))).toBe(false);
      expect(await readlink(join(root, 'latest'))).toBe('previous');
      expect(existsSync(join(root, 'killed', 'keys.spool.jsonl'))).toBe(true);
      const finished = [...parseCheckpoint(await readFile(checkpoint), checkpoint).state.accounts.keys()];
      expect(finished.length).toBeGreaterThanOrEqual(6);
      expect(finished.length).toBeLessThan(30);

      // A resume with other scope options is refused before any AWS call.
      await expect(job(sim, { reportsRoot: root, resume: join(root, 'killed'), regions: ['us-east-1'] })).rejects.toThrow(/--resume .*killed: the run was started with regions "all", now \["us-east-1"\]; resume with the same options/);
      await expect(job(sim, { reportsRoot: root, resume: join(root, 'previous') })).rejects.toThrow(/previous: that run already finished \(its manifest\.json is written\); nothing to resume/);
      await expect(job(sim, { reportsRoot: root, resume: join(root, 'nowhere') })).rejects.toThrow(/no checkpoint\.jsonl there, nothing to resume \(not the folder of an interrupted run\)/);

      sim.resetStats();
      const resumed = await job(sim, { reportsRoot: root, resume: join(root, 'killed') });
      expect(resumed.outDir).toBe(join(root, 'killed'));
      expect(resumed.outcome.header.scanId).toBe('killed');
      expect(resumed.outcome.header.extensions.resume).toEqual({ attempts: 2, accountsFromCheckpoint: finished.length });
      // Not one KMS or EC2 call for an account the killed run had finished.
      const again = Object.keys(sim.stats().callsByScope).filter((scope) => finished.includes(scope.split('|')[0]!) && /\|(kms|ec2):/.test(scope));
      expect(again).toEqual([]);
      expect(await readlink(join(root, 'latest'))).toBe('killed');
      expect(existsSync(checkpoint)).toBe(false);
      expect(existsSync(join(root, 'killed', 'keys.spool.jsonl'))).toBe(false);

      const whole = await job(sim, { scanId: 'killed', out: join(root, 'uninterrupted'), previous: null });
      expect(resumed.outcome.header.summary).toEqual(whole.outcome.header.summary);
      expect(resumed.outcome.header.coverage).toEqual(whole.outcome.header.coverage);
      expect(await csvWithout(join(resumed.outDir, 'findings.csv'), 'evaluated_at')).toEqual(await csvWithout(join(whole.outDir, 'findings.csv'), 'evaluated_at'));
      for (const name of ['coverage.csv', 'controls.csv']) expect(await readFile(join(resumed.outDir, name), 'utf8')).toBe(await readFile(join(whole.outDir, name), 'utf8'));
    });
  }, 60_000);

  it('a shard resumed after its part was written only finishes the job (no AWS call again)', async () => {
    const scenario = generateScenario({ seed: 22, accounts: 6, regions: 2, keysPerRegion: 2 });
    const root = await tempDir('kra-resume-');
    await withSim({ scenario }, async (sim) => {
      const first = await job(sim, { reportsRoot: root, scanId: 'part-run', shard: '0/2' });
      expect(first.outcome.resultsPath).toBe(join(root, 'part-run', 'results.part-0-of-2.json'));
      sim.resetStats();
      const again = await job(sim, { reportsRoot: root, resume: join(root, 'part-run'), shard: '0/2' });
      expect(again.outcome.header).toEqual(first.outcome.header);
      expect(sim.stats().calls).toEqual({});
      // The other shard never ran here: nothing to resume for it.
      await expect(job(sim, { reportsRoot: root, resume: join(root, 'part-run'), shard: '1/2' })).rejects.toThrow(/no checkpoint\.part-1-of-2\.jsonl there, nothing to resume/);
    });
  });
});
