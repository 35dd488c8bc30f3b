/**
 * Issue 12: behaviour that was implemented without a test, through the built CLI. An OU id that is
 * not in the organization is refused (never a complete, passing audit); shard bounds given through
 * environment variables; and no secret echoed: every secret option (scan's and remediate's
 * ExternalId, sim's secret access key, the PEM of a signing key file) fed bad values through flag,
 * environment and file, stderr and stdout searched for the value.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, startSimulator, type Simulator } from '../../src/sim/index.js';
import { makeKey } from '../helpers/results.js';
import { writePart } from '../app/helpers.js';
import { type CliRun, filesUnder, oneLine, runCli, tempDir, useAwsCounter } from './helpers.js';

const aws = useAwsCounter();

/** Runs the CLI calls a few at a time (each is a process; two cores). */
async function all<T>(jobs: (() => Promise<T>)[], width = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

describe('an OU id not in the organization (point 8)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: generateScenario({ seed: 4, accounts: 6, regions: 2, keysPerRegion: 1 }) });
  });
  afterAll(async () => {
    await sim.stop();
  });
  const env = (): Record<string, string> => ({ AWS_ACCESS_KEY_ID: sim.baseCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.baseCredentials.secretAccessKey, AWS_REGION: 'us-east-1' });

  it.each([
    ['--ous', (dir: string) => ({ args: ['--ous', 'ou-zzzz-zzzzzzzz', '--reports-root', join(dir, 'reports')], env: {} }), /no account in scope: --ous ou-zzzz-zzzzzzzz matches no account of organization o-[a-z0-9]+; check the ids/],
    ['KMS_ROTATION_AUDIT_OUS', (dir: string) => ({ args: ['--reports-root', join(dir, 'reports')], env: { KMS_ROTATION_AUDIT_OUS: 'ou-zzzz-zzzzzzzz,r-zzzz' } }), /no account in scope: KMS_ROTATION_AUDIT_OUS ou-zzzz-zzzzzzzz,r-zzzz matches no account/],
  ])('through %s: exit 64, one line naming the filter, no run folder, no "latest"', async (_what, given, pattern) => {
    const dir = await tempDir();
    const { args, env: extra } = given(dir);
    const run = await runCli(['scan', '--log-level', 'warn', ...args], { endpoint: sim.endpoint, env: { ...env(), ...extra } });
    expect(oneLine(run.stderr)).toMatch(pattern);
    expect(run.code).toBe(64);
    expect(await filesUnder(join(dir, 'reports'))).toEqual([]);
    expect(existsSync(join(dir, 'reports', 'latest'))).toBe(false);
  });
});

describe('shard bounds through environment variables (point 13)', () => {
  it.each([
    [{ KMS_ROTATION_AUDIT_SHARD: '0/10001' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD: expected a shard count N from 1 to 10000, got "0\/10001"$/],
    [{ KMS_ROTATION_AUDIT_SHARD: '0/1000000000' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD: expected a shard count N from 1 to 10000/],
    [{ KMS_ROTATION_AUDIT_SHARD: '-1/4' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD: expected K\/N, e\.g\. 0\/4/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: '10001' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD_COUNT: Too big: expected number to be <=10000/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: '0' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD_COUNT: Too small: expected number to be >=1/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: 'four' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD_COUNT: Invalid input: expected number, received string, got "four"$/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '4' }, /^kms-rotation-audit: JOB_COMPLETION_INDEX \(with KMS_ROTATION_AUDIT_SHARD_COUNT 4\): expected a shard index K from 0 to 3 \(0-based\), got 4/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '1e3' }, /^kms-rotation-audit: JOB_COMPLETION_INDEX: expected a shard index \(a whole number from 0\), got "1e3"$/],
    [{ KMS_ROTATION_AUDIT_SHARD_COUNT: '4', AWS_BATCH_JOB_ARRAY_INDEX: '99999999999999999999' }, /^kms-rotation-audit: AWS_BATCH_JOB_ARRAY_INDEX: expected a shard index \(a whole number from 0\)/],
    [{ KMS_ROTATION_AUDIT_SHARD: '1/4', KMS_ROTATION_AUDIT_SHARD_COUNT: '8' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD 1\/4 and KMS_ROTATION_AUDIT_SHARD_COUNT 8 disagree on the number of shards/],
  ])('%j: exit 64, one line naming the variable, no AWS request, nothing written', async (env, pattern) => {
    const dir = await tempDir();
    const before = aws.requests();
    const run = await runCli(['scan', '--home-region', 'us-east-1', '--scan-id', 'nightly-1', '--reports-root', join(dir, 'reports')], { endpoint: aws.endpoint, env });
    expect(oneLine(run.stderr)).toMatch(pattern);
    expect(run.code).toBe(64);
    expect(aws.requests()).toBe(before);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });
});

describe('no secret echoed, ever (point 11)', () => {
  /** Bad values of an ExternalId, each carrying a marker that must never appear in the output. */
  const badExternalIds = ['S3CRET value with spaces!', `S3CRET-${'A'.repeat(1300)}`, 'S3CRET\u001b[31m\u202e'];

  function clean(run: CliRun, pattern: RegExp): void {
    expect(run.code, run.stderr).toBe(64);
    expect(oneLine(run.stderr)).toMatch(pattern);
    expect(run.stderr + run.stdout).not.toContain('S3CRET');
  }

  it('scan --external-id: flag, environment variable, config file; and a one-character value', async () => {
    const dir = await tempDir();
    const jobs: (() => Promise<[CliRun, RegExp]>)[] = [];
    for (const [i, value] of badExternalIds.entries()) {
      const file = join(dir, `config-${i}.yaml`);
      await writeFile(file, `externalId: ${JSON.stringify(value)}\n`);
      const args = ['scan', '--home-region', 'us-east-1', '--out', join(dir, `out-${i}`)];
      jobs.push(async () => [await runCli([...args, `--external-id=${value}`], { endpoint: aws.endpoint }), /^kms-rotation-audit: --external-id: /]);
      jobs.push(async () => [await runCli(args, { endpoint: aws.endpoint, env: { KMS_ROTATION_AUDIT_EXTERNAL_ID: value } }), /^kms-rotation-audit: KMS_ROTATION_AUDIT_EXTERNAL_ID: /]);
      jobs.push(async () => [await runCli([...args, '-c', file], { endpoint: aws.endpoint }), /config-\d\.yaml:1: externalId: /]);
    }
    for (const [run, pattern] of await all(jobs)) clean(run, pattern);
    const short = await runCli(['scan', '--external-id', 'Q', '--print-config'], { endpoint: aws.endpoint });
    expect(short.code).toBe(64);
    expect(oneLine(short.stderr)).not.toMatch(/"Q"|\bQ\b/);
  });

  it('remediate: --external-id, KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID, --external-id-file; nothing written', async () => {
    const dir = await tempDir();
    const part = await writePart(join(dir, 'r'), { index: 0, count: 1, keys: [makeKey({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', status: 'FAIL', rotationEnabled: false, rotationPeriodDays: null })] });
    const results = join(dir, 'r', 'results.json');
    await writeFile(results, (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null'));
    const jobs: (() => Promise<[CliRun, RegExp]>)[] = [];
    for (const [i, value] of badExternalIds.entries()) {
      const file = join(dir, `id-${i}.txt`);
      await writeFile(file, `${value}\n`);
      const args = ['remediate', '--from', results];
      jobs.push(async () => [await runCli([...args, '--external-id', value], { endpoint: aws.endpoint }), /^kms-rotation-audit: --external-id: expected 2\.\.1224 characters/]);
      jobs.push(async () => [await runCli(args, { endpoint: aws.endpoint, env: { KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID: value } }), /^kms-rotation-audit: KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID: expected 2\.\.1224 characters/]);
      jobs.push(async () => [await runCli([...args, '--external-id-file', file], { endpoint: aws.endpoint }), /^kms-rotation-audit: --external-id-file .*id-\d\.txt: expected 2\.\.1224 characters/]);
    }
    for (const [run, pattern] of await all(jobs)) clean(run, pattern);
    expect(existsSync(join(dir, 'r', 'remediation'))).toBe(false);
  });

  it('sim --secret-access-key', async () => {
    const runs = await all(
      ['short-S3CRET', 'S3CRET with spaces and more', `S3CRET${'x'.repeat(200)}`].map((value) => () => runCli(['sim', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE', '--secret-access-key', value], { endpoint: aws.endpoint })),
    );
    for (const run of runs) clean(run, /^kms-rotation-audit: --secret-access-key: expected 16\.\.128 characters of \[A-Za-z0-9\+\/=\] \(the value is not shown: it is a secret\)$/);
  });

  it('--sign-key-file whose PEM is bad: flag, environment variable, config file, and report; the key material is never shown', async () => {
    const dir = await tempDir();
    const body = 'U0VDUkVUS0VZTUFURVJJQUxTM0NSRVQ=';
    const pems = {
      damaged: `-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n-----END PRIVATE KEY-----\n`,
      rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      p384: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    const resultsDir = join(dir, 'run');
    const part = await writePart(resultsDir, { index: 0, count: 1 });
    await writeFile(join(resultsDir, 'results.json'), (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null'));
    const jobs: (() => Promise<{ run: CliRun; pem: string; pattern: RegExp }>)[] = [];
    for (const [name, pem] of Object.entries(pems)) {
      const file = join(dir, `${name}.pem`);
      await writeFile(file, pem);
      const config = join(dir, `${name}.yaml`);
      await writeFile(config, `signKeyFile: ${file}\n`);
      const scan = ['scan', '--home-region', 'us-east-1', '--out', join(dir, `out-${name}`)];
      const problem = name === 'damaged' ? 'not a PEM private key' : name === 'rsa1024' ? 'RSA key of 1024 bits; expected at least 2048' : 'EC key on curve secp384r1; expected P-256';
      jobs.push(async () => ({ run: await runCli([...scan, '--sign-key-file', file], { endpoint: aws.endpoint }), pem, pattern: new RegExp(`^kms-rotation-audit: --sign-key-file .*${name}\\.pem: ${problem}`) }));
      jobs.push(async () => ({ run: await runCli(scan, { endpoint: aws.endpoint, env: { KMS_ROTATION_AUDIT_SIGN_KEY_FILE: file } }), pem, pattern: new RegExp(`^kms-rotation-audit: KMS_ROTATION_AUDIT_SIGN_KEY_FILE .*${name}\\.pem: ${problem}`) }));
      jobs.push(async () => ({ run: await runCli([...scan, '-c', config], { endpoint: aws.endpoint }), pem, pattern: new RegExp(`${name}\\.yaml:1: signKeyFile .*${name}\\.pem: ${problem}`) }));
      jobs.push(async () => ({ run: await runCli(['report', '--from', join(resultsDir, 'results.json'), '--sign-key-file', file], { endpoint: aws.endpoint }), pem, pattern: new RegExp(`--sign-key-file .*${name}\\.pem: ${problem}`) }));
    }
    const before = aws.requests();
    for (const { run, pem, pattern } of await all(jobs)) {
      expect(run.code, run.stderr).toBe(64);
      expect(oneLine(run.stderr)).toMatch(pattern);
      const lines = pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
      for (const line of lines) expect(run.stderr + run.stdout).not.toContain(line.slice(0, 20));
      expect(run.stderr).not.toContain('-----END');
    }
    expect(aws.requests()).toBe(before);
    for (const name of Object.keys(pems)) expect(existsSync(join(dir, `out-${name}`))).toBe(false);
    expect((await filesUnder(resultsDir)).sort()).toEqual(['results.json', 'results.part-0-of-1.json']);
  });
});
