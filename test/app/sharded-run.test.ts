/**
 * A sharded run end to end, as the scheduling templates run it: three shard processes (the index
 * from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX and --shard) scan one simulated organization
 * under one scan id and upload their parts to S3 (s3rver, a local S3-compatible server); the merge
 * reads the prefix back and writes one set of reports. Its findings.csv and coverage.csv equal an
 * unsharded scan's row for row (evaluated_at aside: it is when each key was judged).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { runStatus } from '../../src/app/run.js';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { packageRoot } from '../../src/io/paths.js';
import { generateScenario } from '../../src/sim/index.js';
import { fastTiming, memoryLogger, withSim } from '../engine/helpers.js';
import { removeTempDirs, tempDir } from './helpers.js';

const cli = join(packageRoot, 'dist/src/cli.js');
// s3rver knows one access key; the simulator's management account uses the same one.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET = 'audit-reports';

let s3rver: S3rver;
let s3Endpoint: string;

beforeAll(async () => {
  const directory = await tempDir('kra-s3rver-');
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = (await s3rver.run()) as { port: number };
  s3Endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver?.close();
  await removeTempDirs();
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** CSV rows without the named columns. */
async function csvWithout(path: string, drop: string[]): Promise<string[][]> {
  const rows = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).map((line) => line.split(','));
  const skip = new Set(drop.map((name) => rows[0]!.indexOf(name)));
  return rows.map((row) => row.filter((_, i) => !skip.has(i)));
}

describe('a sharded run', () => {
  it('three shard processes, parts through S3, merged: the same findings and coverage as one unsharded scan', async () => {
    expect(existsSync(cli), `${cli} is built by npm run build (npm test runs it first)`).toBe(true);
    const scenario = generateScenario({ seed: 11, accounts: 24, regions: 3, keysPerRegion: 3 });
    const root = await tempDir('kra-sharded-');
    await withSim({ scenario, baseCredentials: credentials }, async (sim) => {
      const env = {
        AWS_ENDPOINT_URL: sim.endpoint,
        AWS_ENDPOINT_URL_S3: s3Endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
        KMS_ROTATION_AUDIT_LOG_FORMAT: 'json',
        KMS_ROTATION_AUDIT_LOG_LEVEL: 'warn',
        KMS_ROTATION_AUDIT_REPORTS_ROOT: join(root, 'shards'),
      };
      const common = ['scan', '--scan-id', 'nightly-7', '--fail-on', 'never', '--upload', `s3://${BUCKET}/kms-rotation-audit/parts/nightly-7/`];
      const shards = await Promise.all([
        runCli([...common, '--shard-count', '3'], { ...env, JOB_COMPLETION_INDEX: '0' }),
        runCli([...common, '--shard-count', '3'], { ...env, AWS_BATCH_JOB_ARRAY_INDEX: '1' }),
        runCli([...common, '--shard', '2/3'], env),
      ]);
      for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
      for (const k of [0, 1, 2]) expect(existsSync(join(root, 'shards', 'nightly-7', `results.part-${k}-of-3.json`))).toBe(true);
      const s3 = new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kms-rotation-audit/parts/' }));
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([0, 1, 2].map((k) => `kms-rotation-audit/parts/nightly-7/nightly-7/results.part-${k}-of-3.json`));

      // The same organization scanned in one piece, under the same scan id.
      const single = await runScanJob(configSchema.parse({ scanId: 'nightly-7', out: join(root, 'single'), failOn: 'never', progress: false, homeRegion: 'us-east-1', previous: null }) as Config, {
        env: {},
        logger: memoryLogger() as never,
        deps: { endpoint: sim.endpoint, credentials: async () => credentials, timing: fastTiming },
      });

      // The merge job of the templates: merge --from <parts prefix> --upload <runs prefix>.
      const merge = await runCli(['merge', '--from', `s3://${BUCKET}/kms-rotation-audit/parts/nightly-7/`, '--upload', `s3://${BUCKET}/kms-rotation-audit/runs/`, '--fail-on', 'never'], {
        ...env,
        KMS_ROTATION_AUDIT_REPORTS_ROOT: join(root, 'merged'),
      });
      expect(merge.code, merge.stderr).toBe(0);
      const merged = join(root, 'merged', 'nightly-7');
      expect(await readlink(join(root, 'merged', 'latest'))).toBe('nightly-7');
      // The downloaded parts are gone once merged.
      expect((await readdir(join(root, 'merged'))).filter((name) => name.startsWith('.parts-download'))).toEqual([]);
      const runs = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kms-rotation-audit/runs/nightly-7/' }));
      expect((runs.Contents ?? []).map((o) => o.Key)).toContain('kms-rotation-audit/runs/nightly-7/manifest.json');
      s3.destroy();

      // And the parts merged from the shards' shared folder, in-process, exiting by --fail-on.
      const local = await runReportCommand({ from: [join(root, 'shards', 'nightly-7')], out: join(root, 'local'), merge: { failOn: 'fail', previous: null } });
      expect(local.merged).toBe(3);
      // The generated organization has accounts without the read role: incomplete coverage, exit 2, as the scan itself.
      expect(local.exitCode).toBe(runStatus('fail', single.outcome.coverageComplete, single.outcome.counts));
      expect(local.exitCode).toBe(2);

      const reference = await csvWithout(join(single.outDir, 'findings.csv'), ['evaluated_at']);
      expect(reference.length).toBeGreaterThan(100);
      for (const dir of [merged, join(root, 'local')]) {
        expect(await csvWithout(join(dir, 'findings.csv'), ['evaluated_at'])).toEqual(reference);
        expect(await readFile(join(dir, 'coverage.csv'), 'utf8')).toBe(await readFile(join(single.outDir, 'coverage.csv'), 'utf8'));
        expect(await readFile(join(dir, 'controls.csv'), 'utf8')).toBe(await readFile(join(single.outDir, 'controls.csv'), 'utf8'));
      }
      const header = JSON.parse((await readFile(join(merged, 'results.json'), 'utf8')).split('\n')[0]!.slice(0, -1) + '}') as { header: { complete: boolean; summary: unknown } };
      expect(header.header.complete).toBe(true);
      expect(header.header.summary).toEqual(single.outcome.header.summary);
    });
  }, 60_000);
});
