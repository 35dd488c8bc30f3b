/**
 * File names of one run's outputs in its folder. A shard's files carry `part-K-of-N`, so the shards
 * of one run can share a folder (a shared volume) and a merge can tell them apart by name.
 */
import { MAX_SHARDS, type ShardSpec } from './shard.js';

/** results.json: the results document of a run (a shard's part is results.part-K-of-N.json: runFileNames). */
export const RESULTS_FILE = 'results.json';
/** manifest.json: the run folder's list of files and digests, written last (src/report/manifest.ts). */
export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'kms-rotation-audit/manifest';
/** manifest.sig.json: the detached signature over manifest.json (src/evidence/signature.ts). */
export const SIGNATURE_NAME = 'manifest.sig.json';
/** What --publish securityhub sent and how it ended (src/publish/securityhub.ts). */
export const PUBLISH_FILE = 'securityhub-publish.json';
/** The checkpoint journal's first line (src/engine/checkpoint.ts). */
export const CHECKPOINT_FORMAT = 'kms-rotation-audit/checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

export interface RunFileNames {
  /** The results document (a shard's partial one: results.part-K-of-N.json). */
  results: string;
  /** Judged keys as they are produced (deleted once the results document is written). */
  spool: string;
  /** Accounts finished so far, for --resume (deleted once the results document is written). */
  checkpoint: string;
}

export function runFileNames(shard: ShardSpec | null): RunFileNames {
  const part = shard ? `.part-${shard.index}-of-${shard.count}` : '';
  return { results: `results${part}.json`, spool: `keys${part}.spool.jsonl`, checkpoint: `checkpoint${part}.jsonl` };
}

const PART = /^results\.part-(\d{1,5})-of-(\d{1,5})\.json$/;

/** The shard a part file's name says it holds, or null for any other name (or shard numbers out of bounds). */
export function partOfFileName(name: string): ShardSpec | null {
  const match = PART.exec(name);
  if (!match) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && count <= MAX_SHARDS && index < count ? { index, count } : null;
}

export const CHECKPOINT_FILE = /^checkpoint(\.part-\d+-of-\d+)?\.jsonl$/;
