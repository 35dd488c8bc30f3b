/**
 * Which accounts a shard scans, and which shard a process is: the partition is a function of the
 * account id alone (adding accounts never moves the others), shards are about even, and the
 * index comes from --shard K/N or the batch engine's own variable, checked before any AWS call.
 */
import { describe, expect, it } from 'vitest';
import { runScanJob } from '../../src/app/scan.js';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/core/errors.js';
import type { OrgAccount } from '../../src/aws/organizations.js';
import { Throttle } from '../../src/aws/throttle.js';
import { selectAccounts, shardOf } from '../../src/engine/scope.js';
import { partOfFileName, runFileNames } from '../../src/core/run-files.js';
import { parseShardSpec, resolveShard } from '../../src/core/shard.js';
import { memoryLogger } from '../engine/helpers.js';

function org(n: number, seed: number): OrgAccount[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 48271) % 2147483647;
    const id = String(100000000000 + (x % 899999999999)).padStart(12, '0');
    return { id, name: `acct-${id}`, state: 'ACTIVE', ouIds: ['r-ab12'], ouPath: 'Root' };
  });
}

const shardIds = (accounts: OrgAccount[], index: number, count: number): string[] =>
  selectAccounts(accounts, { accounts: null, excludeAccounts: [], ous: null, shard: { index, count } }).scan.map((a) => a.id);

describe('shard partition', () => {
  it('is stable: adding 1,000 accounts moves none of the first 1,000 to another shard', () => {
    const before = org(1000, 7);
    const after = [...before, ...org(1000, 99)];
    for (let index = 0; index < 4; index++) {
      const then = new Set(shardIds(before, index, 4));
      const now = shardIds(after, index, 4).filter((id) => before.some((a) => a.id === id));
      expect(now.sort()).toEqual([...then].sort());
    }
  });

  it('covers every account exactly once and is about even', () => {
    const accounts = org(2000, 3);
    const shards = Array.from({ length: 8 }, (_, i) => shardIds(accounts, i, 8));
    expect(shards.flat().sort()).toEqual(accounts.map((a) => a.id).sort());
    for (const shard of shards) expect(Math.abs(shard.length - 250)).toBeLessThan(60);
    // The same id always lands in the same shard, whatever else is in the organization.
    expect(shardOf('123456789012', 8)).toBe(shardOf('123456789012', 8));
  });

  it('shard files are named part-K-of-N, so parts can share a folder', () => {
    expect(runFileNames(null)).toEqual({ results: 'results.json', spool: 'keys.spool.jsonl', checkpoint: 'checkpoint.jsonl' });
    expect(runFileNames({ index: 2, count: 8 })).toEqual({ results: 'results.part-2-of-8.json', spool: 'keys.part-2-of-8.spool.jsonl', checkpoint: 'checkpoint.part-2-of-8.jsonl' });
    expect(partOfFileName('results.part-2-of-8.json')).toEqual({ index: 2, count: 8 });
    expect(partOfFileName('results.json')).toBeNull();
  });

  it("budgets the management account's shared STS and Organizations quotas to the shard's share", () => {
    const throttle = (share: number) => new Throttle({ concurrency: 8, quotaSafety: 0.5, quotaOverrides: {}, maxAttempts: 3, sharedQuotaShare: share });
    const scope = { accountId: '111111111111', region: 'us-east-1', operation: 'organizations:ListAccounts', shared: true };
    expect(throttle(1).rateFor(scope)).toBe(10);
    expect(throttle(1 / 4).rateFor(scope)).toBe(2.5);
    // A member account's own KMS quota is not shared with other shards.
    expect(throttle(1 / 4).rateFor({ accountId: '222222222222', region: 'eu-west-1', operation: 'kms:DescribeKey' })).toBe(1000);
  });
});

describe('which shard this process is', () => {
  const none = { shard: null, shardCount: null };

  it('--shard K/N, K counted from 0', () => {
    expect(parseShardSpec('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShardSpec(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(() => parseShardSpec('4/4')).toThrow(/--shard: expected a shard index K from 0 to 3 \(0-based\), got 4 \(shards are counted from 0/);
    expect(() => parseShardSpec('1-4')).toThrow(/--shard: expected K\/N/);
    expect(() => parseShardSpec('0/0')).toThrow(/shard count N from 1/);
    expect(resolveShard(none, {})).toBeNull();
  });

  it('--shard-count N with the index from a Kubernetes Indexed Job or an AWS Batch array job', () => {
    expect(resolveShard({ shard: null, shardCount: 8 }, { JOB_COMPLETION_INDEX: '5' })).toEqual({ index: 5, count: 8 });
    expect(resolveShard({ shard: null, shardCount: 8 }, { AWS_BATCH_JOB_ARRAY_INDEX: '0' })).toEqual({ index: 0, count: 8 });
    expect(resolveShard({ shard: null, shardCount: 1 }, {})).toEqual({ index: 0, count: 1 });
    // --shard wins over the variables.
    expect(resolveShard({ shard: '1/8', shardCount: 8 }, { JOB_COMPLETION_INDEX: '5' })).toEqual({ index: 1, count: 8 });
    expect(() => resolveShard({ shard: null, shardCount: 8 }, { AWS_BATCH_JOB_ARRAY_INDEX: '8' })).toThrow(/AWS_BATCH_JOB_ARRAY_INDEX \(with --shard-count 8\): expected a shard index K from 0 to 7/);
    expect(() => resolveShard({ shard: null, shardCount: 8 }, { JOB_COMPLETION_INDEX: 'two' })).toThrow(/JOB_COMPLETION_INDEX: expected a shard index/);
    expect(() => resolveShard({ shard: null, shardCount: 8 }, {})).toThrow(/--shard-count 8: no shard index; give --shard K\/8, or run as a Kubernetes Indexed Job \(JOB_COMPLETION_INDEX\) or an AWS Batch array job \(AWS_BATCH_JOB_ARRAY_INDEX\)/);
    expect(() => resolveShard({ shard: '1/4', shardCount: 8 }, {})).toThrow(/--shard 1\/4 and --shard-count 8 disagree/);
  });

  it('flags are checked before any AWS call: a shard needs a scan id, "latest" is not one', async () => {
    await expect(loadConfig({ flags: { scanId: 'latest' }, env: {}, configFile: null })).rejects.toThrow(/--scan-id: expected a name other than "latest"/);
    await expect(loadConfig({ flags: { scanId: '../x' }, env: {}, configFile: null })).rejects.toThrow(/--scan-id: expected 1\.\.128 letters/);
    await expect(loadConfig({ flags: { shard: 'half' }, env: {}, configFile: null })).rejects.toThrow(/--shard: expected K\/N/);
    const config = await loadConfig({ flags: { shardCount: '4', homeRegion: 'us-east-1' }, env: { KMS_ROTATION_AUDIT_REPORTS_ROOT: '/nonexistent/reports' }, configFile: null });
    // No endpoint, no credentials: it must fail on the flags, not on AWS.
    await expect(runScanJob(config, { env: { JOB_COMPLETION_INDEX: '1' }, logger: memoryLogger() as never })).rejects.toThrow(UsageError);
    await expect(runScanJob(config, { env: { JOB_COMPLETION_INDEX: '1' }, logger: memoryLogger() as never })).rejects.toThrow(/^--shard-count 4 \(shard 1\): also give --scan-id/);
  });
});
