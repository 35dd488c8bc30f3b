/**
 * What the scan engine needs, already validated and defaulted by src/config/.
 * The engine never reads flags, files or the environment itself (except the AWS SDK's own
 * credential chain and AWS_ENDPOINT_URL* variables, which the SDK honours).
 */
export interface ScanOptions {
  /** The run's id (names its folder); generated from the start time when absent. */
  scanId?: string;
  /** Read role name in member accounts (ignored when roleArnTemplate is set). */
  roleName: string;
  /** e.g. 'arn:${partition}:iam::${accountId}:role/path/Name'. */
  roleArnTemplate: string | null;
  externalId: string | null;
  roleSessionName: string;
  sessionDurationSeconds: number;
  /** Account ids to scan (null = all in the organization). */
  accounts: string[] | null;
  excludeAccounts: string[];
  /** OU ids: accounts anywhere below them (null = no OU filter). */
  ous: string[] | null;
  /** false = do not call Organizations; `accounts` must then be given. */
  useOrganizations: boolean;
  /** Region names, or 'all' / null = every region enabled in each account. */
  regions: string[] | 'all' | null;
  maxRotationDays: number;
  evaluateDisabled: boolean;
  /** Global cap on AWS requests in flight. */
  concurrency: number;
  /** Region for STS and the first Organizations/EC2 calls (e.g. us-east-1). */
  homeRegion: string;
  /** Output folder; results.json is written there. */
  outDir: string;
  /**
   * Continue the interrupted run whose checkpoint is in `outDir` (its scan id, start time and
   * finished accounts); the scope options must be the ones it started with.
   */
  resume?: boolean;
  /** Stable partition of the in-scope accounts: index 0-based. */
  shard: { index: number; count: number } | null;
  /**
   * Collect tags (ListResourceTags): 'none'; 'failing' (FAIL keys, for exception scopes by tag);
   * 'all' (every key the rule applies to, and multi-Region replicas: for the owner and managed_by columns).
   */
  collectTags: 'none' | 'failing' | 'all';
  /** Tag key naming a key's owner (findings `owner`); null: not asked. */
  ownerTag: string | null;
  /** Tag key an infrastructure-as-code tool sets (findings `managed_by`, beside the CloudFormation stack tag); null: not asked. */
  managedByTag: string | null;
  /** Quota safety margin 0..1 and per-operation overrides (requests/second). */
  quotaSafety: number;
  quotaOverrides: Record<string, number>;
  /** Max attempts per AWS call (retry budget) including the first. */
  maxAttempts: number;
  /** Where an option's value came from, for messages (src/core/sources.ts); default its flag. */
  sourceOf?: (key: 'resume' | 'scanId' | 'accounts' | 'excludeAccounts' | 'ous') => string;
}
