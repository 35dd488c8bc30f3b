/**
 * Issue 12 point 14, messages naming the wrong source, through the built CLI: a value checked after
 * the flags, the environment and the config file are merged is named by where it came from. Each
 * case: exit status, one line on stderr, no AWS request.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLine, runCli, tempDir, useAwsCounter } from './helpers.js';

const aws = useAwsCounter();

async function refused(args: string[], env: Record<string, string>, code: number, pattern: RegExp): Promise<void> {
  const before = aws.requests();
  const run = await runCli(args, { endpoint: aws.endpoint, env });
  expect(oneLine(run.stderr)).toMatch(pattern);
  expect(run.code).toBe(code);
  expect(aws.requests() - before).toBe(0);
}

describe('the source of a bad value is named, not the flag it could have been', () => {
  it.each([
    ['KMS_ROTATION_AUDIT_SHARD=5/2', {}, { KMS_ROTATION_AUDIT_SHARD: '5/2' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SHARD: expected a shard index K from 0 to 1/],
    ['config shard: "5/2"', { text: 'roleName: R\nshard: "5/2"\n' }, {}, /config\.yaml:2: shard: expected a shard index K from 0 to 1/],
    ['KMS_ROTATION_AUDIT_SHARD_COUNT with JOB_COMPLETION_INDEX out of bounds', {}, { KMS_ROTATION_AUDIT_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '4', KMS_ROTATION_AUDIT_SCAN_ID: 'n1' }, /JOB_COMPLETION_INDEX \(with KMS_ROTATION_AUDIT_SHARD_COUNT 4\): expected a shard index K from 0 to 3/],
    ['config shardCount with AWS_BATCH_JOB_ARRAY_INDEX not a number', { text: 'shardCount: 4\n' }, { AWS_BATCH_JOB_ARRAY_INDEX: 'two' }, /^kms-rotation-audit: AWS_BATCH_JOB_ARRAY_INDEX: expected a shard index \(a whole number from 0\), got "two"$/],
    ['a shard count without a scan id, from the file', { text: 'shardCount: 4\n' }, { JOB_COMPLETION_INDEX: '1' }, /config\.yaml:1: shardCount 4 \(shard 1\): also give --scan-id/],
    ['KMS_ROTATION_AUDIT_FRAMEWORKS with an unknown framework', {}, { KMS_ROTATION_AUDIT_FRAMEWORKS: 'cis,bogus' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_FRAMEWORKS: unknown framework "bogus"/],
    ['config cisVersion with CIS not selected', { text: 'frameworks: [nist]\ncisVersion: 1.4.0\n' }, {}, /config\.yaml:2: cisVersion 1\.4\.0: CIS is not among the selected frameworks/],
    ['KMS_ROTATION_AUDIT_PREVIOUS naming nothing', {}, { KMS_ROTATION_AUDIT_PREVIOUS: '/nonexistent/run' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_PREVIOUS: \/nonexistent\/run is not a results\.json file/],
    ['config resume with --out', { text: 'resume: /nonexistent/run\n', args: ['--out', '/tmp/elsewhere'] }, {}, /config\.yaml:1: resume \/nonexistent\/run with --out \/tmp\/elsewhere: a resumed run finishes in its own folder/],
    ['both signers, one from the file and one from the environment', { text: 'signKeyFile: /nonexistent/key.pem\n' }, { KMS_ROTATION_AUDIT_SIGN_KMS_KEY_ID: 'alias/evidence' }, /^kms-rotation-audit: KMS_ROTATION_AUDIT_SIGN_KMS_KEY_ID and .*config\.yaml:1: signKeyFile: give one signer, not both$/],
    ['config signKeyFile that cannot be read', { text: 'signKeyFile: /nonexistent/key.pem\n' }, {}, /config\.yaml:1: signKeyFile \/nonexistent\/key\.pem: cannot read the file \(ENOENT\)/],
  ])('%s', async (_what, given: { text?: string; args?: string[] }, env, pattern) => {
    const dir = await tempDir();
    const args = ['scan', '--home-region', 'us-east-1', ...(given.args ?? ['--out', join(dir, 'out')])];
    if (given.text !== undefined) {
      await writeFile(join(dir, 'config.yaml'), given.text);
      args.push('-c', join(dir, 'config.yaml'));
    }
    await refused(args, env, 64, pattern);
  });

  it('a reports root from the environment that is a file: exit 73 naming the variable', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await refused(['scan', '--home-region', 'us-east-1'], { KMS_ROTATION_AUDIT_REPORTS_ROOT: join(dir, 'file') }, 73, /^kms-rotation-audit: KMS_ROTATION_AUDIT_REPORTS_ROOT .*\/file: cannot write output \(it is a file, not a folder\)/);
  });
});
