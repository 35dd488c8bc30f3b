/**
 * Upload of a finished run folder with the real S3 client, against s3rver (a local
 * S3-compatible server from npm): path-style addressing through the endpoint override,
 * every file uploaded, manifest.json last, SSE-KMS headers when asked.
 */
import { exitOf } from '../../src/cli/exit-codes.js';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Url, s3ClientConfig, uploadRun } from '../../src/io/s3.js';

let server: S3rver;
let endpoint: string;

beforeAll(async () => {
  const directory = await mkdtemp(join(tmpdir(), 'kra-s3rver-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'audit-reports', configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close();
});

function client(): S3Client {
  return new S3Client({ ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: endpoint }, 'us-east-1'), credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}

describe('S3 upload of a run folder', () => {
  it('parses s3:// URLs and refuses anything else with the flag named', () => {
    expect(parseS3Url('s3://audit-reports/nightly')).toEqual({ bucket: 'audit-reports', prefix: 'nightly/' });
    expect(parseS3Url('s3://audit-reports')).toEqual({ bucket: 'audit-reports', prefix: '' });
    expect(() => parseS3Url('https://audit-reports/x')).toThrow(/^--upload: expected s3:\/\/bucket\/prefix/);
  });

  it('uploads every file the manifest lists under <prefix>/<run>/, the signature, manifest.json last, byte for byte; nothing else', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'kra-upload-')), '2026-11-28T02-00-00Z-abcdef');
    await mkdir(dir);
    await writeFile(join(dir, 'findings.csv'), '\uFEFFa,b\r\n1,2\r\n');
    await writeFile(join(dir, 'report.pdf'), Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 255]));
    await writeFile(join(dir, 'manifest.json'), '{"files":[{"name":"findings.csv"},{"name":"report.pdf"}]}');
    await writeFile(join(dir, 'manifest.sig.json'), '{}');
    await writeFile(join(dir, 'results.json.tmp-123'), 'half-written');
    // Not the run's: a file someone left in the folder, and a lock.
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await writeFile(join(dir, 'run.lock'), '{}');
    const s3 = client();
    const keys = await uploadRun(dir, { client: s3, location: parseS3Url('s3://audit-reports/nightly'), runName: '2026-11-28T02-00-00Z-abcdef', sseKms: null });
    expect(keys).toEqual(['findings.csv', 'report.pdf', 'manifest.sig.json', 'manifest.json'].map((name) => `nightly/2026-11-28T02-00-00Z-abcdef/${name}`));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'audit-reports', Prefix: 'nightly/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([...keys].sort());
    for (const name of ['findings.csv', 'report.pdf']) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'audit-reports', Key: `nightly/2026-11-28T02-00-00Z-abcdef/${name}` }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(await readFile(join(dir, name)))).toBe(true);
    }
    s3.destroy();
  });

  it('asks for SSE-KMS with the given key when told to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-upload-'));
    await writeFile(join(dir, 'manifest.json'), '{}');
    const s3 = client();
    const sent: Record<string, string>[] = [];
    s3.middlewareStack.add((next) => async (args) => {
      sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    }, { step: 'finalizeRequest' });
    await uploadRun(dir, { client: s3, location: parseS3Url('s3://audit-reports/kms'), runName: 'r', sseKms: { keyId: 'alias/reports' } });
    await uploadRun(dir, { client: s3, location: parseS3Url('s3://audit-reports/kms'), runName: 'r2', sseKms: { keyId: null } });
    expect(sent[0]).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/reports' });
    expect(sent[1]).toMatchObject({ 'x-amz-server-side-encryption': 'aws:kms' });
    expect(sent[1]).not.toHaveProperty('x-amz-server-side-encryption-aws-kms-key-id');
    s3.destroy();
  });

  it('names the failure when the bucket does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-upload-'));
    await writeFile(join(dir, 'manifest.json'), '{}');
    const s3 = client();
    await expect(uploadRun(dir, { client: s3, location: parseS3Url('s3://no-such-bucket/x'), runName: 'r', sseKms: null })).rejects.toThrow(/bucket/i);
    s3.destroy();
  });
});

describe('scan --upload', () => {
  it('uploads the finished run folder under <prefix>/<scan id>/ and fails with exit 2 naming the bucket when it cannot', async () => {
    const { runScanJob } = await import('../../src/app/scan.js');
    const { configSchema } = await import('../../src/config/schema.js');
    const { simScenario, startSimulator } = await import('../../src/sim/index.js');
    const { fastTiming, memoryLogger } = await import('../engine/helpers.js');
    // s3rver knows one key pair; the simulator takes the same as its base credentials.
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const sim = await startSimulator({ scenario: simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1' }] }] }), baseCredentials: credentials });
    try {
      const root = await mkdtemp(join(tmpdir(), 'kra-upload-scan-'));
      const run = (upload: string) =>
        runScanJob(configSchema.parse({ reportsRoot: root, upload, uploadSseKms: true, logFormat: 'json', progress: false, homeRegion: 'us-east-1' }) as never, {
          env: { AWS_ENDPOINT_URL_S3: endpoint },
          logger: memoryLogger() as never,
          deps: { endpoint: sim.endpoint, credentials: async () => credentials, timing: fastTiming },
        });
      const done = await run('s3://audit-reports/scans');
      const s3 = client();
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'audit-reports', Prefix: `scans/${done.outcome.header.scanId}/` }));
      const names = (listed.Contents ?? []).map((o) => o.Key!.split('/').pop()).sort();
      expect(names).toEqual(['controls.csv', 'coverage.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'manifest.json', 'report.html', 'report.pdf', 'results.json']);
      s3.destroy();
      const failed = await run('s3://missing-bucket/scans').catch((e: unknown) => e);
      expect(failed).toMatchObject({ name: 'IncompleteError', message: expect.stringMatching(/^--upload: uploading .* to s3:\/\/missing-bucket\/scans failed with NoSuchBucket/) });
      expect(exitOf(failed).code).toBe(2);
    } finally {
      await sim.stop();
    }
  });
});
