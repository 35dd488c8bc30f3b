/**
 * AWS request quotas the scan budgets against (requests per second), from
 * the quota pages: KMS https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
 * STS https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, Organizations
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html. `bucket` names what the quota is shared by:
 * - KMS: per account, per region, per operation (KMS developer guide, "Request quotas").
 * - STS: 600/s per account and region, shared by every STS operation of the caller.
 * - Organizations: per-second quota unverified and global (us-east-1): assumed 20/s per account (as the
 *   project's simulator does), budgeted with quotaSafety and backed off on TooManyRequestsException.
 * - EC2 DescribeRegions: the non-mutating "Describe*" token bucket refills at 20/s per account and region.
 */
import { InternalError, UsageError } from '../core/errors.js';

export interface Quota {
  requestsPerSecond: number;
  /** Operations with the same bucket share one limiter. */
  bucket: string;
  /** Whether the quota is per region (false: one per account, e.g. Organizations). */
  regional: boolean;
}

const kms = (op: string, requestsPerSecond: number): [string, Quota] => [`kms:${op}`, { requestsPerSecond, bucket: `kms:${op}`, regional: true }];

export const QUOTAS: ReadonlyMap<string, Quota> = new Map<string, Quota>([
  kms('ListKeys', 500),
  kms('ListAliases', 500),
  kms('DescribeKey', 2000),
  kms('GetKeyRotationStatus', 1000),
  kms('ListResourceTags', 2000),
  kms('ListKeyRotations', 100),
  // remediate --apply only (KMS developer guide, "Request quotas": EnableKeyRotation 5/s).
  kms('EnableKeyRotation', 5),
  ['sts:AssumeRole', { requestsPerSecond: 600, bucket: 'sts', regional: true }],
  ['sts:GetCallerIdentity', { requestsPerSecond: 600, bucket: 'sts', regional: true }],
  ['organizations:*', { requestsPerSecond: 20, bucket: 'organizations', regional: false }],
  ['ec2:DescribeRegions', { requestsPerSecond: 20, bucket: 'ec2:describe', regional: true }],
  // --publish securityhub: 10 requests/s per account and region, burst 30 (Security Hub user guide,
  // "Quotas": https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-limits.html). The
  // limiter spaces calls at the rate × quotaSafety and never bursts, so it stays inside both.
  ['securityhub:BatchImportFindings', { requestsPerSecond: 10, bucket: 'securityhub:BatchImportFindings', regional: true }],
]);

/** The quota table entry for `service:Operation`: its own, else the service's wildcard (`organizations:*`). */
export function quotaKey(operation: string): string {
  if (QUOTAS.has(operation)) return operation;
  const wildcard = `${operation.split(':')[0] ?? ''}:*`;
  if (QUOTAS.has(wildcard)) return wildcard;
  // Every operation the code calls has a quota above (src/aws/operations.ts lists them): a bug, not bad input.
  throw new InternalError(`no request quota is known for ${operation}`);
}

export function quotaFor(operation: string): Quota {
  return QUOTAS.get(quotaKey(operation))!;
}

/** Checks `quotaOverrides` keys and values (requests/second), naming the bad one. */
export function validateQuotaOverrides(overrides: Record<string, number>): void {
  for (const [operation, rps] of Object.entries(overrides)) {
    if (!QUOTAS.has(operation)) {
      throw new UsageError(`quotaOverrides: unknown operation "${operation}" (expected one of ${[...QUOTAS.keys()].join(', ')})`);
    }
    if (!Number.isFinite(rps) || rps <= 0) {
      throw new UsageError(`quotaOverrides.${operation}: expected a positive number of requests per second, got ${String(rps)}`);
    }
  }
}
