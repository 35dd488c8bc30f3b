/**
 * Run history end to end against the simulated organization: two scans with the organization
 * changed between them give exactly the expected changes.csv, and a scan killed midway never
 * becomes `latest` nor the "previous run" of the next one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { packageRoot } from '../../src/io/paths.js';
import { simKey, simScenario } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/types.js';
import { fastTiming, memoryLogger, withSim } from '../engine/helpers.js';

function config(reportsRoot: string): Config {
  return configSchema.parse({ reportsRoot, logFormat: 'json', progress: false, homeRegion: 'us-east-1' }) as Config;
}

async function job(sim: Simulator, reportsRoot: string) {
  return runScanJob(config(reportsRoot), {
    env: {},
    logger: memoryLogger() as never,
    deps: { endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, timing: fastTiming },
  });
}

function csvRows(text: string): string[][] {
  return text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((line) => line.split(','));
}

const scenario = () =>
  simScenario({
    accounts: [
      {
        id: '111111111111',
        keys: [
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000001', rotation: { enabled: false } }, // FAIL → fixed
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000002', rotation: { enabled: true, periodDays: 365 } }, // PASS → newly failing
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000003', rotation: { enabled: true, periodDays: 365 } }, // unchanged
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000004', rotation: { enabled: true, periodDays: 365 } }, // deleted → gone
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000005', rotation: { enabled: true, periodDays: 365 } }, // → PendingDeletion
        ],
      },
    ],
  });

describe('run history against the simulator', () => {
  it('two runs with the organization changed between them give exactly the expected changes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-history-'));
    const s = scenario();
    await withSim({ scenario: s }, async (sim) => {
      const first = await job(sim, root);
      expect(first.changes).toBeNull();
      const keys = s.accounts.find((a) => a.id === '111111111111')!.keys;
      keys[0]!.rotation = { enabled: true, periodDays: 365 };
      keys[1]!.rotation = { enabled: false };
      keys.splice(3, 1);
      keys[3]!.keyState = 'PendingDeletion';
      keys.push(simKey({ region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000006', rotation: { enabled: false } }));
      sim.reindex();

      const second = await job(sim, root);
      expect(second.changes?.previousScanId).toBe(first.outcome.header.scanId);
      expect(second.changes?.counts).toEqual({ newly_failing: 1, fixed: 1, new: 1, gone: 1, not_assessed: 0, status_changed: 1 });
      const rows = csvRows(await readFile(join(second.outDir, 'changes.csv'), 'utf8'));
      expect(rows.map((r) => [r[0], r[3], r[6], r[7]])).toEqual([
        ['fixed', 'aaaaaaaa-0000-0000-0000-000000000001', 'FAIL', 'PASS'],
        ['newly_failing', 'aaaaaaaa-0000-0000-0000-000000000002', 'PASS', 'FAIL'],
        ['gone', 'aaaaaaaa-0000-0000-0000-000000000004', 'PASS', ''],
        ['status_changed', 'aaaaaaaa-0000-0000-0000-000000000005', 'PASS', 'NOT_APPLICABLE'],
        ['new', 'aaaaaaaa-0000-0000-0000-000000000006', '', 'FAIL'],
      ]);
      expect(await readlink(join(root, 'latest'))).toBe(second.outcome.header.scanId);
      const manifest = JSON.parse(await readFile(join(second.outDir, 'manifest.json'), 'utf8')) as { files: { name: string }[] };
      expect(manifest.files.map((f) => f.name)).toContain('changes.csv');
    });
  });

  it('a run killed midway never becomes latest nor the previous run of the next one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-history-'));
    const keys = Array.from({ length: 40 }, (_, i) => ({ region: 'us-east-1', rotation: { enabled: i % 2 === 0, periodDays: 365 } }));
    const s = simScenario({ accounts: [{ id: '111111111111', keys }, { id: '222222222222', keys }] });
    await withSim({ scenario: s }, async (sim) => {
      const finished = await job(sim, root);
      // Slow every KMS answer down so the child is surely mid-scan when it is killed.
      sim.setFaults([{ operations: ['kms:*'], kind: 'latency', latencyMs: 400 }]);
      const child = spawn(process.execPath, [join(packageRoot, 'dist/src/cli.js'), 'scan', '--reports-root', root, '--log-format', 'json', '--home-region', 'us-east-1'], {
        env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: sim.endpoint, AWS_ACCESS_KEY_ID: sim.baseCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.baseCredentials.secretAccessKey, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      // Wait until the child has started its run folder, then kill it without a chance to clean up.
      const deadline = Date.now() + 20_000;
      let unfinished: string | undefined;
      while (!unfinished && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        unfinished = (await readdir(root)).find((name) => name !== 'latest' && name !== finished.outcome.header.scanId);
      }
      expect(unfinished).toBeDefined();
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(existsSync(join(root, unfinished!, 'manifest.json'))).toBe(false);
      expect(await readlink(join(root, 'latest'))).toBe(finished.outcome.header.scanId);

      sim.setFaults([]);
      const next = await job(sim, root);
      expect(next.changes?.previousScanId).toBe(finished.outcome.header.scanId);
      expect(await readlink(join(root, 'latest'))).toBe(next.outcome.header.scanId);
    });
  });
});
