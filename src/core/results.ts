/**
 * The results document: the only thing reporters read. Versioned; a change that
 * removes or renames a field bumps `formatVersion`.
 */
export const RESULTS_FORMAT = 'kms-rotation-audit/results';
export const RESULTS_FORMAT_VERSION = 1;

export const Status = {
  Pass: 'PASS',
  Fail: 'FAIL',
  NotApplicable: 'NOT_APPLICABLE',
  Exception: 'EXCEPTION',
  Error: 'ERROR',
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const ALL_STATUSES: readonly Status[] = ['PASS', 'FAIL', 'EXCEPTION', 'ERROR', 'NOT_APPLICABLE'];

/** An AWS error as recorded against a key, a region or an account. */
export interface AwsErrorRecord {
  /** AWS error code (`AccessDeniedException`, `ThrottlingException`, `ECONNRESET`, ...). */
  code: string;
  message: string;
  /** The API operation that failed, e.g. `kms:GetKeyRotationStatus`. */
  operation: string;
}

/** One KMS key, as collected and judged. Dates are ISO 8601 UTC strings; null means unknown / not applicable. */
export interface KeyResult {
  accountId: string;
  accountName: string | null;
  /** Human-readable OU path from the root, e.g. `Root/Workloads/Prod`; null outside an organization. */
  ouPath: string | null;
  /** OU ids from the root down (`r-…`, `ou-…`), for exception scopes and filters. */
  ouIds: string[];
  region: string;
  keyId: string;
  keyArn: string;
  aliases: string[];
  description: string | null;
  keyManager: string | null;
  keySpec: string | null;
  keyUsage: string | null;
  origin: string | null;
  keyState: string | null;
  enabled: boolean | null;
  multiRegionType: 'PRIMARY' | 'REPLICA' | null;
  primaryKeyArn: string | null;
  customKeyStoreId: string | null;
  creationDate: string | null;
  deletionDate: string | null;
  rotationEnabled: boolean | null;
  rotationPeriodDays: number | null;
  nextRotationDate: string | null;
  onDemandRotationStartDate: string | null;
  lastRotationDate: string | null;
  lastRotationType: 'AUTOMATIC' | 'ON_DEMAND' | null;
  /** Tags, when collected (an exception scope by tag, --owner-tag or --managed-by-tag); null = not collected. */
  tags: Record<string, string> | null;
  status: Status;
  reason: string;
  ruleId: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH';
  exceptionId: string | null;
  /** Set when status is ERROR (and for FAIL/PASS never). */
  error: AwsErrorRecord | null;
  evaluatedAt: string;
  /**
   * Evidence that could not be read (ListKeyRotations, ListResourceTags, ListAliases): it never
   * changes the status; the evidence columns stay empty. Absent in documents written before it.
   */
  evidenceGaps?: EvidenceGapRecord[];
  /**
   * A multi-Region replica judged through its primary (NOT_APPLICABLE on its own facts): the status its
   * primary key is reported with in this document. The replica shares the primary's key material and
   * rotation, so the reports show it, and count it, with that status. Absent on every other key.
   */
  primaryStatus?: Status;
  /** Members read by inference where AWS's rules leave one answer (e.g. KeyUsage absent on a SYMMETRIC_DEFAULT key), one sentence each. */
  inferences?: string[];
}

/** One piece of evidence that could not be read for a key. */
export interface EvidenceGapRecord {
  /** `rotation-history` (kms:ListKeyRotations), `tags` (kms:ListResourceTags), `aliases` (kms:ListAliases). */
  evidence: 'rotation-history' | 'tags' | 'aliases';
  error: AwsErrorRecord;
}

export type AccountCoverageStatus = 'scanned' | 'error' | 'skipped';
export interface AccountCoverage {
  accountId: string;
  accountName: string | null;
  /** Organizations account state (`ACTIVE`, `SUSPENDED`, ...), from `State` falling back to `Status`. */
  state: string | null;
  ouPath: string | null;
  ouIds: string[];
  /** How the account was reached: the management account uses the base credentials. */
  access: 'base-credentials' | 'assumed-role' | 'none';
  roleArn: string | null;
  status: AccountCoverageStatus;
  /** Why skipped / what failed (AssumeRole error, DescribeRegions error). */
  error: AwsErrorRecord | null;
  reason: string | null;
}

export type RegionCoverageStatus = 'scanned' | 'not_enabled' | 'error' | 'skipped';
export interface RegionCoverage {
  accountId: string;
  region: string;
  status: RegionCoverageStatus;
  error: AwsErrorRecord | null;
  reason: string | null;
  /** Keys listed in that account and region (null when not listed). */
  keyCount: number | null;
  /** Keys in that region that ended in ERROR. */
  keyErrors: number;
}

export interface Coverage {
  accounts: AccountCoverage[];
  regions: RegionCoverage[];
}

export type StatusCounts = Record<Status, number>;

/** Effective scan parameters, secrets redacted. */
export interface ScanParameters {
  roleName: string | null;
  roleArnTemplate: string | null;
  externalIdSet: boolean;
  roleSessionName: string;
  sessionDurationSeconds: number;
  accounts: string[] | null;
  excludeAccounts: string[];
  ous: string[] | null;
  useOrganizations: boolean;
  regions: string[] | 'all' | null;
  maxRotationDays: number;
  evaluateDisabled: boolean;
  concurrency: number;
  homeRegion: string;
  shard: { index: number; count: number } | null;
  /** Tag keys read for the owner and managed_by columns (absent in results written before issue 11; null: not asked). */
  ownerTag?: string | null;
  managedByTag?: string | null;
  [extra: string]: unknown;
}

/**
 * The parameters that decide what is scanned and how keys are judged: a resumed run must keep them
 * (src/engine/resume.ts), and every shard part of one run must have the same (src/app/merge/parts.ts).
 */
export const SCOPE_PARAMETERS = ['roleName', 'roleArnTemplate', 'externalIdSet', 'accounts', 'excludeAccounts', 'ous', 'useOrganizations', 'regions', 'maxRotationDays', 'evaluateDisabled', 'collectTags'] as const;

export interface ResultsHeader {
  scanId: string;
  toolName: string;
  toolVersion: string;
  startedAt: string;
  finishedAt: string;
  /** false when the run was cut short (interrupted or a shard part): reporters say so. */
  complete: boolean;
  partition: string;
  callerIdentity: { account: string; arn: string } | null;
  /**
   * The endpoints the data came from (every origin a request was sent to) and whether any is not AWS
   * (src/aws/endpoints.ts). Absent in documents written before it was recorded.
   */
  dataSource?: { endpoints: string[]; nonAws: boolean };
  organizationId: string | null;
  managementAccountId: string | null;
  parameters: ScanParameters;
  coverage: Coverage;
  summary: { keys: number; byStatus: StatusCounts; accountsInScope: number; accountRegionPairs: number };
  /** API calls made, by `service:Operation`, for the methodology section. */
  apiCalls: Record<string, number>;
  /** Optional sections added by later stages (exceptions register, shard info, …). */
  extensions: Record<string, unknown>;
}

export interface ResultsDocument {
  format: typeof RESULTS_FORMAT;
  formatVersion: typeof RESULTS_FORMAT_VERSION;
  header: ResultsHeader;
  keys: KeyResult[];
}

export function emptyStatusCounts(): StatusCounts {
  return { PASS: 0, FAIL: 0, NOT_APPLICABLE: 0, EXCEPTION: 0, ERROR: 0 };
}

/** The stable report order: account, region, key id. */
export function compareKeys(a: Pick<KeyResult, 'accountId' | 'region' | 'keyId'>, b: Pick<KeyResult, 'accountId' | 'region' | 'keyId'>): number {
  return cmp(a.accountId, b.accountId) || cmp(a.region, b.region) || cmp(a.keyId, b.keyId);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Key under `header.extensions` of the engine's own figures. */
export const SCAN_EXTENSION = 'scan';

/** The engine's figures in `header.extensions.scan` (read by the shard merge and the benchmark). */
export interface ScanEngineExtension {
  coverageComplete: boolean;
  gaps: { accounts: number; regions: number; errorKeys: number };
  retries: number;
  retriesByClass: Record<string, number>;
  retriesExhausted: number;
  maxInFlight: number;
  meanInFlight: number;
  meanRoundTripMs: number;
  keyCalls: { eligibleKeys: number; eligibleCalls: number; otherKeys: number; otherCalls: number };
}
