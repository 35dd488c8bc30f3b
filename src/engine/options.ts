/**
 * What the scan engine needs, already validated and defaulted by src/config/.
 * The engine never reads flags, files or the environment itself (except the AWS SDK's own
 * credential chain and AWS_ENDPOINT_URL* variables, which the SDK honours).
 *
 * The options are the config schema's (src/config/schema.ts: names, types, ranges and defaults come
 * from there), plus what the run computes (its folder, home region, shard, which tags to read).
 * scanOptionsOf is the one mapping from a configuration to them.
 */
import type { Config } from '../config/schema.js';
import type { ShardSpec } from '../core/shard.js';
import { optionSource } from '../core/sources.js';

/** The options the engine takes from the configuration as they are, under the same names. */
const FROM_CONFIG = ['roleName', 'roleArnTemplate', 'externalId', 'roleSessionName', 'accounts', 'excludeAccounts', 'ous', 'maxRotationDays', 'evaluateDisabled', 'concurrency', 'ownerTag', 'managedByTag', 'quotaSafety', 'maxAttempts'] as const satisfies readonly (keyof Config)[];

export interface ScanOptions extends Pick<Config, (typeof FROM_CONFIG)[number]> {
  /** The run's id (names its folder); generated from the start time when absent. */
  scanId?: string;
  /** --session-duration, as AssumeRole's DurationSeconds and the results document (ScanParameters) name it. */
  sessionDurationSeconds: Config['sessionDuration'];
  /** --no-organizations (false = do not call Organizations; `accounts` must then be given), named as ScanParameters records it. */
  useOrganizations: Config['organizations'];
  /** Region names, or 'all' / null = every region enabled in each account. */
  regions: Config['regions'] | null;
  /** Region for STS and the first Organizations/EC2 calls: --home-region, else $AWS_REGION, else us-east-1 (homeRegionOf). */
  homeRegion: string;
  /** Output folder; results.json is written there. */
  outDir: string;
  /**
   * Continue the interrupted run whose checkpoint is in `outDir` (its scan id, start time and
   * finished accounts); the scope options must be the ones it started with.
   */
  resume?: boolean;
  /** Stable partition of the in-scope accounts: index 0-based. */
  shard: ShardSpec | null;
  /**
   * Collect tags (ListResourceTags): 'none'; 'failing' (FAIL keys, for exception scopes by tag);
   * 'all' (every key the rule applies to, and multi-Region replicas: for the owner and managed_by columns).
   */
  collectTags: 'none' | 'failing' | 'all';
  /** Per-operation overrides of the request quotas (requests/second). */
  quotaOverrides: Record<string, number>;
  /** Where an option's value came from, for messages (src/core/sources.ts); default its flag. */
  sourceOf?: (key: 'resume' | 'scanId' | 'accounts' | 'excludeAccounts' | 'ous') => string;
}

/** What the run decided before the scan: its folder, id, home region and shard. */
export interface ScanRunSettings {
  outDir: string;
  scanId?: string;
  homeRegion: string;
  shard: ShardSpec | null;
}

/**
 * The engine's options from a configuration. The two renames live here and only here:
 * sessionDuration → sessionDurationSeconds and organizations → useOrganizations are the names the
 * results document has always persisted (ScanParameters, src/core/results.ts), which stays as it is.
 */
export function scanOptionsOf(config: Config, run: ScanRunSettings): ScanOptions {
  const same = Object.fromEntries(FROM_CONFIG.map((key) => [key, config[key]])) as Pick<Config, (typeof FROM_CONFIG)[number]>;
  return {
    ...same,
    ...(run.scanId !== undefined ? { scanId: run.scanId } : {}),
    resume: config.resume !== null,
    sessionDurationSeconds: config.sessionDuration,
    useOrganizations: config.organizations,
    regions: config.regions,
    homeRegion: run.homeRegion,
    outDir: run.outDir,
    shard: run.shard,
    // --owner-tag / --managed-by-tag read every applicable key's tags (the exceptions register may ask for 'failing').
    collectTags: config.ownerTag !== null || config.managedByTag !== null ? 'all' : 'none',
    quotaOverrides: {},
    sourceOf: (key) => optionSource(config, key),
  };
}
