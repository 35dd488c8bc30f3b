/**
 * Issue 12, messages naming the wrong source: a check made after the flags, the environment and the
 * config file are merged (a shard spec, a combination of options) must still name where the bad value
 * came from: the flag, the environment variable, or the file and line.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { envName, optionSpecs } from '../../src/config/schema.js';
import { flagOf, optionSource } from '../../src/core/sources.js';
import { resolveShard } from '../../src/core/shard.js';

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kra-sources-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(() => null, (e: Error) => e)) as Error | null;
  expect(error?.name).toBe('UsageError');
  expect(error!.message).not.toContain('\n');
  return error!.message;
}

describe('where a value came from', () => {
  it('flagOf gives the flag of every option in the schema', () => {
    for (const spec of optionSpecs) expect(flagOf(spec.key)).toBe(spec.flag.split(' ')[0]);
  });

  it('loadConfig records the flag, the variable or file:line of each value, the winning layer last', async () => {
    const path = await file('roleName: FromFile\n\nconcurrency: 10\nmaxAttempts: 3\n');
    const config = await loadConfig({ flags: { concurrency: '30' }, env: { [envName('maxAttempts')]: '4' }, configFile: path });
    expect(optionSource(config, 'roleName')).toBe(`${path}:1: roleName`);
    expect(optionSource(config, 'concurrency')).toBe('--concurrency');
    expect(optionSource(config, 'maxAttempts')).toBe('KMS_ROTATION_AUDIT_MAX_ATTEMPTS');
    expect(optionSource(config, 'reportsRoot')).toBe('--reports-root'); // a default: its flag
  });
});

describe('a bad shard spec names its source (the audit: KMS_ROTATION_AUDIT_SHARD=5/2 said --shard)', () => {
  it.each([
    ['the flag', async () => ({ flags: { shard: '5/2' }, env: {}, configFile: null }), /^--shard: expected a shard index K from 0 to 1 \(0-based\), got "5\/2"$/],
    ['the variable', async () => ({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD: '5/2' }, configFile: null }), /^KMS_ROTATION_AUDIT_SHARD: expected a shard index K from 0 to 1 \(0-based\), got "5\/2"$/],
    ['the file', async () => ({ flags: {}, env: {}, configFile: await file('roleName: R\nshard: "5/2"\n') }), /config\.yaml:2: shard: expected a shard index K from 0 to 1 \(0-based\)$/],
    ['a count above the bound, from the variable', async () => ({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD: '0/10001' }, configFile: null }), /^KMS_ROTATION_AUDIT_SHARD: expected a shard count N from 1 to 10000, got "0\/10001"$/],
    ['a count of zero, from the file', async () => ({ flags: {}, env: {}, configFile: await file('shard: 0/0\n') }), /config\.yaml:1: shard: expected a shard count N from 1 to 10000$/],
    ['K = N, from the variable, with the hint', async () => ({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD: '4/4' }, configFile: null }), /^KMS_ROTATION_AUDIT_SHARD: expected a shard index K from 0 to 3 \(0-based\) \(shards are counted from 0: the last of N is N-1\), got "4\/4"$/],
    ['a shard count above the bound, from the variable', async () => ({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD_COUNT: '10001' }, configFile: null }), /^KMS_ROTATION_AUDIT_SHARD_COUNT: Too big: expected number to be <=10000, got "10001"$/],
  ])('from %s', async (_what, sources, pattern) => {
    expect(await refusal(loadConfig(await sources()))).toMatch(pattern);
  });

  it('shard and shard count that disagree: both sources named', async () => {
    const path = await file('shardCount: 8\n');
    const config = await loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD: '1/4' }, configFile: path });
    expect(() => resolveShard(config, {})).toThrow(new RegExp(`^KMS_ROTATION_AUDIT_SHARD 1/4 and ${path}:1: shardCount 8 disagree on the number of shards`));
  });

  it('a shard count from the environment with no index, or an index out of bounds: the variable named', async () => {
    const config = await loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_SHARD_COUNT: '8' }, configFile: null });
    expect(() => resolveShard(config, {})).toThrow(/^KMS_ROTATION_AUDIT_SHARD_COUNT 8: no shard index; give --shard K\/8/);
    expect(() => resolveShard(config, { JOB_COMPLETION_INDEX: '8' })).toThrow(/^JOB_COMPLETION_INDEX \(with KMS_ROTATION_AUDIT_SHARD_COUNT 8\): expected a shard index K from 0 to 7 \(0-based\), got 8/);
    expect(() => resolveShard(config, { AWS_BATCH_JOB_ARRAY_INDEX: '-1' })).toThrow(/^AWS_BATCH_JOB_ARRAY_INDEX: expected a shard index \(a whole number from 0\), got "-1"/);
    expect(() => resolveShard(config, { JOB_COMPLETION_INDEX: '99999999999999999999' })).toThrow(/^JOB_COMPLETION_INDEX: expected a shard index \(a whole number from 0\)/);
  });
});

describe('combinations name their sources', () => {
  it('accounts and excludeAccounts from the file: file and line of each', async () => {
    const path = await file('accounts: ["111122223333"]\nexcludeAccounts: ["111122223333"]\n');
    expect(await refusal(loadConfig({ flags: {}, env: {}, configFile: path }))).toBe(
      `${path}:1: accounts 111122223333 with ${path}:2: excludeAccounts 111122223333: no account left in scope; drop one of them`,
    );
  });

  it('organizations off through the environment without accounts: the variable named', async () => {
    expect(await refusal(loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_ORGANIZATIONS: 'false' }, configFile: null }))).toMatch(/^KMS_ROTATION_AUDIT_ORGANIZATIONS needs --accounts/);
    expect(await refusal(loadConfig({ flags: { organizations: false }, env: {}, configFile: null }))).toMatch(/^--no-organizations needs --accounts/);
  });

  it('a role ARN template from the environment or the file', async () => {
    expect(await refusal(loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_ROLE_ARN_TEMPLATE: 'arn:${partition}:iam::${account}:role/X' }, configFile: null }))).toMatch(
      /^KMS_ROTATION_AUDIT_ROLE_ARN_TEMPLATE: unknown placeholder \$\{account\}/,
    );
    const path = await file('# roles\nroleArnTemplate: "arn:${partition}:iam::111122223333:role/X"\n');
    expect(await refusal(loadConfig({ flags: {}, env: {}, configFile: path }))).toBe(`${path}:2: roleArnTemplate: expected \${accountId} in the template, or every account would get the same role`);
    // Not an IAM role ARN once filled in: checked with the configuration, naming the variable (it was checked when the scan started, naming the flag).
    expect(await refusal(loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_ROLE_ARN_TEMPLATE: 'arn:${partition}:iam::${accountId}:role/bad name!' }, configFile: null }))).toMatch(
      /^KMS_ROTATION_AUDIT_ROLE_ARN_TEMPLATE: ".*" does not give an IAM role ARN/,
    );
  });
});
