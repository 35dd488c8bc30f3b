import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResults, writeResultsDocument } from '../../src/results/document.js';
import { emptyStatusCounts, type KeyResult, type ResultsHeader } from '../../src/results/types.js';

function header(): ResultsHeader {
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
  };
}

function key(i: number): KeyResult {
  return {
    accountId: '111122223333', accountName: 'a', ouPath: 'Root', ouIds: ['r-1'], region: 'eu-west-1',
    keyId: `k-${i}`, keyArn: `arn:aws:kms:eu-west-1:111122223333:key/k-${i}`, aliases: [], description: 'line\nbreak, "quoted"',
    keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', enabled: true,
    multiRegionType: null, primaryKeyArn: null, customKeyStoreId: null, creationDate: null, deletionDate: null,
    rotationEnabled: true, rotationPeriodDays: 365, nextRotationDate: null, onDemandRotationStartDate: null, lastRotationDate: null,
    lastRotationType: null, tags: null, status: 'PASS', reason: 'ok', ruleId: 'KMS-002', severity: 'MEDIUM', exceptionId: null, error: null,
    evaluatedAt: '2026-11-28T00:00:30.000Z',
  };
}

async function collect(it: AsyncIterable<KeyResult>): Promise<KeyResult[]> {
  const out: KeyResult[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('results document', () => {
  it('round-trips as valid JSON and streams back in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    const keys = [key(1), key(2), key(3)];
    await writeResultsDocument(path, header(), keys);
    const parsed = JSON.parse(await readFile(path, 'utf8'));
    expect(parsed.keys).toEqual(keys);
    const reader = await openResults(path);
    expect(reader.header.scanId).toBe('scan-1');
    expect(await collect(reader.keys())).toEqual(keys);
  });

  it('writes an empty key list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeResultsDocument(path, header(), []);
    expect(JSON.parse(await readFile(path, 'utf8')).keys).toEqual([]);
    expect(await collect((await openResults(path)).keys())).toEqual([]);
  });

  it('reads a re-formatted document by parsing it whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeFile(path, JSON.stringify({ format: 'kms-rotation-audit/results', formatVersion: 1, header: header(), keys: [key(7)] }, null, 2));
    expect(await collect((await openResults(path)).keys())).toEqual([key(7)]);
  });

  it('refuses a truncated document and a wrong version, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeResultsDocument(path, header(), [key(1), key(2)]);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, text.lastIndexOf(']}')));
    await expect(collect((await openResults(path)).keys())).rejects.toThrow(/truncated/);
    await writeFile(path, JSON.stringify({ format: 'kms-rotation-audit/results', formatVersion: 99, header: header(), keys: [] }));
    await expect(openResults(path)).rejects.toThrow(new RegExp(`${path}.*formatVersion 99`));
  });
});
