/**
 * `--resume DIR`: what an interrupted run left in its folder, checked against the options of the
 * run that continues it. The checkpoint names the finished accounts (their coverage, and where
 * their keys are in the spool); the continuing run scans only the others.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { CHECKPOINT_FILE, type RunFileNames } from '../core/run-files.js';
import { SCOPE_PARAMETERS } from '../core/results.js';
import { CheckpointError, parseCheckpoint, type CheckpointState } from './checkpoint.js';
import { scanParameters } from './header.js';
import type { ScanOptions } from './options.js';

export function resumeScope(options: ScanOptions): Record<string, unknown> {
  const parameters = scanParameters(options);
  return Object.fromEntries(SCOPE_PARAMETERS.map((key) => [key, parameters[key]]));
}

export type ResumePoint =
  | { kind: 'checkpoint'; state: CheckpointState; validBytes: number; checkpointPath: string; spoolPath: string }
  /** The scan itself had finished (its results document is written, the checkpoint removed): only the reports remain. */
  | { kind: 'finished'; resultsPath: string };

export async function findResumePoint(options: ScanOptions, files: RunFileNames): Promise<ResumePoint> {
  const dir = options.outDir;
  const resumeFrom = options.sourceOf?.('resume') ?? '--resume';
  const checkpointPath = join(dir, files.checkpoint);
  const spoolPath = join(dir, files.spool);
  const resultsPath = join(dir, files.results);
  let bytes: Buffer;
  try {
    bytes = await readFile(checkpointPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${resumeFrom} ${dir}: cannot read ${files.checkpoint} (${(err as Error).message})`);
    if (existsSync(resultsPath)) return { kind: 'finished', resultsPath };
    const others = await checkpointsIn(dir);
    throw new UsageError(
      `${resumeFrom} ${dir}: no ${files.checkpoint} there, nothing to resume${others.length > 0 ? ` (found ${others.join(', ')}: give the same --shard as that run)` : ' (not the folder of an interrupted run)'}`,
    );
  }
  let parsed: ReturnType<typeof parseCheckpoint>;
  try {
    parsed = parseCheckpoint(bytes, checkpointPath);
  } catch (err) {
    if (err instanceof CheckpointError) throw new UsageError(`${resumeFrom}: ${err.message}`);
    throw err;
  }
  const { run } = parsed.state;
  if (options.scanId !== undefined && options.scanId !== run.scanId) {
    throw new UsageError(`${options.sourceOf?.('scanId') ?? '--scan-id'} ${options.scanId}: the run in ${dir} is ${run.scanId}; resume it without --scan-id or with the same id`);
  }
  if (JSON.stringify(run.shard) !== JSON.stringify(options.shard)) {
    throw new UsageError(`${resumeFrom} ${dir}: the run was shard ${shardText(run.shard)}, not ${shardText(options.shard)}`);
  }
  const scope = resumeScope(options);
  for (const key of SCOPE_PARAMETERS) {
    if (JSON.stringify(run.scope[key]) !== JSON.stringify(scope[key])) {
      throw new UsageError(`${resumeFrom} ${dir}: the run was started with ${key} ${JSON.stringify(run.scope[key])}, now ${JSON.stringify(scope[key])}; resume with the same options`);
    }
  }
  let spoolBytes: number;
  try {
    spoolBytes = (await stat(spoolPath)).size;
  } catch {
    throw new UsageError(`${resumeFrom} ${dir}: ${files.spool} is missing; the judged keys of the finished accounts are gone, start a new run`);
  }
  // Every batch a checkpoint line names was synced before the line; anything else means the files do not belong together.
  for (const record of parsed.state.accounts.values()) {
    if (record.batches.some((batch) => batch.offset + batch.length > spoolBytes)) {
      throw new UsageError(`${resumeFrom} ${dir}: ${files.spool} is shorter than ${files.checkpoint} says (account ${record.accountId}); start a new run`);
    }
  }
  return { kind: 'checkpoint', state: parsed.state, validBytes: parsed.validBytes, checkpointPath, spoolPath };
}

async function checkpointsIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => CHECKPOINT_FILE.test(name)).sort();
  } catch {
    return [];
  }
}

function shardText(shard: { index: number; count: number } | null): string {
  return shard ? `${shard.index}/${shard.count}` : 'none (unsharded)';
}
