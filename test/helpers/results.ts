/** Small builders for results documents in tests. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { compareKeys, emptyStatusCounts, type KeyResult, type RegionCoverage, type ResultsHeader } from '../../src/core/results.js';

export function makeHeader(overrides: Partial<ResultsHeader> = {}): ResultsHeader {
  return {
    scanId: 'scan-1',
    toolName: 'kms-rotation-audit',
    toolVersion: '0.0.0',
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:01:00.000Z',
    complete: true,
    partition: 'aws',
    callerIdentity: null,
    organizationId: null,
    managementAccountId: null,
    parameters: {
      roleName: 'R', roleArnTemplate: null, externalIdSet: false, roleSessionName: 's', sessionDurationSeconds: 3600,
      accounts: null, excludeAccounts: [], ous: null, useOrganizations: true, regions: null, maxRotationDays: 365,
      evaluateDisabled: false, concurrency: 8, homeRegion: 'us-east-1', shard: null,
    },
    coverage: { accounts: [], regions: [] },
    summary: { keys: 0, byStatus: emptyStatusCounts(), accountsInScope: 0, accountRegionPairs: 0 },
    apiCalls: {},
    extensions: {},
    ...overrides,
  };
}

export function makeKey(overrides: Partial<KeyResult> & { keyId: string }): KeyResult {
  const accountId = overrides.accountId ?? '111122223333';
  const region = overrides.region ?? 'eu-west-1';
  return {
    accountId, accountName: 'a', ouPath: 'Root', ouIds: ['r-1'], region,
    keyArn: `arn:aws:kms:${region}:${accountId}:key/${overrides.keyId}`, aliases: [], description: null,
    keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', enabled: true,
    multiRegionType: null, primaryKeyArn: null, customKeyStoreId: null, creationDate: null, deletionDate: null,
    rotationEnabled: true, rotationPeriodDays: 365, nextRotationDate: null, onDemandRotationStartDate: null, lastRotationDate: null,
    lastRotationType: null, tags: null, status: 'PASS', reason: 'ok', ruleId: 'KMS-002', severity: 'MEDIUM', exceptionId: null, error: null,
    evaluatedAt: '2026-11-28T00:00:30.000Z',
    ...overrides,
  };
}

export function scannedRegion(accountId: string, region: string, status: RegionCoverage['status'] = 'scanned'): RegionCoverage {
  return { accountId, region, status, error: null, reason: null, keyCount: null, keyErrors: 0 };
}

/** Writes a results document for `keys` (sorted into report order) into dir/name/results.json. */
export async function writeRun(dir: string, keys: KeyResult[], header: Partial<ResultsHeader> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'results.json');
  const regions = [...new Set(keys.map((k) => `${k.accountId}|${k.region}`))].map((pair) => scannedRegion(pair.split('|')[0]!, pair.split('|')[1]!));
  await writeResultsDocument(path, makeHeader({ coverage: { accounts: [], regions }, ...header }), [...keys].sort(compareKeys));
  return path;
}
