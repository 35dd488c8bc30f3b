import type { DataSource } from '../aws/endpoints.js';
import type { ThrottleStats } from '../aws/throttle.js';
import { SCAN_EXTENSION, type Coverage, type ResultsHeader, type ScanEngineExtension, type ScanParameters } from '../core/results.js';
import { toolName, toolVersion } from '../io/version.js';
import type { ScanOptions } from './options.js';
import type { ScanTally } from './tally.js';

/** Effective parameters, without secrets (the external id is only said to be set or not). */
export function scanParameters(options: ScanOptions): ScanParameters {
  return {
    roleName: options.roleArnTemplate === null ? options.roleName : null,
    roleArnTemplate: options.roleArnTemplate,
    externalIdSet: options.externalId !== null,
    roleSessionName: options.roleSessionName,
    sessionDurationSeconds: options.sessionDurationSeconds,
    accounts: options.accounts,
    excludeAccounts: options.excludeAccounts,
    ous: options.ous,
    useOrganizations: options.useOrganizations,
    regions: options.regions,
    maxRotationDays: options.maxRotationDays,
    evaluateDisabled: options.evaluateDisabled,
    concurrency: options.concurrency,
    homeRegion: options.homeRegion,
    shard: options.shard,
    collectTags: options.collectTags,
    ownerTag: options.ownerTag,
    managedByTag: options.managedByTag,
    quotaSafety: options.quotaSafety,
    quotaOverrides: options.quotaOverrides,
    maxAttempts: options.maxAttempts,
  };
}

export interface HeaderInput {
  scanId: string;
  startedAt: Date;
  finishedAt: Date;
  options: ScanOptions;
  partition: string;
  callerIdentity: { account: string; arn: string } | null;
  organizationId: string | null;
  managementAccountId: string | null;
  tally: ScanTally;
  throttle: ThrottleStats;
  coverageComplete: boolean;
  dataSource: DataSource;
}

export function buildHeader(input: HeaderInput): ResultsHeader {
  const { tally, throttle } = input;
  const coverage: Coverage = tally.sortedCoverage();
  const keys = Object.values(tally.counts).reduce((sum, n) => sum + n, 0);
  return {
    scanId: input.scanId,
    toolName,
    toolVersion,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    // A shard is one part of a run: reporters say so until the parts are merged.
    complete: input.options.shard === null,
    partition: input.partition,
    callerIdentity: input.callerIdentity,
    dataSource: input.dataSource,
    organizationId: input.organizationId,
    managementAccountId: input.managementAccountId,
    parameters: scanParameters(input.options),
    coverage,
    summary: {
      keys,
      byStatus: { ...tally.counts },
      // In scope: every account the filters select, whatever its state; the reports use the same
      // definition (src/report/coverage.ts IN_SCOPE_DEFINITION). Not-ACTIVE accounts are in scope, skipped.
      accountsInScope: coverage.accounts.length,
      accountRegionPairs: coverage.regions.length,
    },
    apiCalls: throttle.apiCalls,
    extensions: {
      [SCAN_EXTENSION]: {
        coverageComplete: input.coverageComplete,
        gaps: tally.gaps(),
        retries: throttle.retries,
        retriesByClass: throttle.retriesByClass,
        retriesExhausted: throttle.exhausted,
        maxInFlight: throttle.maxInFlight,
        meanInFlight: round(throttle.sendSeconds / Math.max(0.001, (input.finishedAt.getTime() - input.startedAt.getTime()) / 1000)),
        meanRoundTripMs: round((1000 * throttle.sendSeconds) / Math.max(1, Object.values(throttle.apiCalls).reduce((a, b) => a + b, 0))),
        keyCalls: { ...tally.keyCalls },
      } satisfies ScanEngineExtension,
    },
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
