/**
 * Which shard this process is: `--shard K/N` (K 0-based, like the batch engines' own indexes), or
 * `--shard-count N` with K from the engine's variable: JOB_COMPLETION_INDEX in a Kubernetes Indexed
 * Job (Kubernetes docs, "Jobs: Completion mode"), AWS_BATCH_JOB_ARRAY_INDEX in a child of an AWS
 * Batch array job (AWS Batch user guide, "Array jobs"). Both are 0-based.
 */
import { optionSource } from './sources.js';
import { UsageError } from './errors.js';

export interface ShardSpec {
  /** 0-based. */
  index: number;
  count: number;
}

/** Most shards of one run (also the upper bound of AWS Batch array sizes). */
export const MAX_SHARDS = 10_000;

export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

const SPEC = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** Parses `K/N` (0 ≤ K < N); `flag` names the source in the error (the flag, variable or file:line). */
export function parseShardSpec(text: string, flag = '--shard'): ShardSpec {
  const problem = shardSpecProblem(text);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  const match = SPEC.exec(text)!;
  return { index: Number(match[1]), count: Number(match[2]) };
}

/** What is wrong with a `K/N` text, or null: used by the option schema too, so each source is checked where it is read. */
export function shardSpecProblem(text: string): string | null {
  const match = SPEC.exec(text);
  if (!match) return `expected K/N (shard K of N, K counted from 0), got ${JSON.stringify(text.slice(0, 64))}`;
  return shardProblem(Number(match[1]), Number(match[2]));
}

function shardProblem(index: number, count: number): string | null {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) return `expected a shard count N from 1 to ${MAX_SHARDS}, got ${count}`;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    return `expected a shard index K from 0 to ${count - 1} (0-based), got ${index}${index === count ? ' (shards are counted from 0: the last of N is N-1)' : ''}`;
  }
  return null;
}

export function checkedShard(index: number, count: number, flag: string): ShardSpec {
  const problem = shardProblem(index, count);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return { index, count };
}

/**
 * The shard of this process, or null for an unsharded run. `--shard K/N` wins; with `--shard-count N`
 * alone the index comes from the batch engine's variable; both given must agree on N.
 */
export function resolveShard(config: { shard: string | null; shardCount: number | null }, env: NodeJS.ProcessEnv): ShardSpec | null {
  // Each message names where the value came from (src/core/sources.ts): a flag, a variable or file:line.
  const shardFrom = optionSource(config, 'shard');
  const countFrom = optionSource(config, 'shardCount');
  if (config.shard !== null) {
    const shard = parseShardSpec(config.shard, shardFrom);
    if (config.shardCount !== null && config.shardCount !== shard.count) {
      throw new UsageError(`${shardFrom} ${config.shard} and ${countFrom} ${config.shardCount} disagree on the number of shards (expected the same N in both)`);
    }
    return shard;
  }
  if (config.shardCount === null) return null;
  for (const name of SHARD_INDEX_VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^\d{1,9}$/.test(raw.trim())) throw new UsageError(`${name}: expected a shard index (a whole number from 0), got ${JSON.stringify(raw.slice(0, 64))}`);
    return checkedShard(Number(raw), config.shardCount, `${name} (with ${countFrom} ${config.shardCount})`);
  }
  if (config.shardCount === 1) return { index: 0, count: 1 };
  throw new UsageError(
    `${countFrom} ${config.shardCount}: no shard index; give --shard K/${config.shardCount}, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX)`,
  );
}
