import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyResult } from '../../src/core/results.js';
import { makeKey } from '../helpers/results.js';

export async function registerFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kra-exceptions-'));
  const path = join(dir, 'exceptions.yaml');
  await writeFile(path, text);
  return path;
}

export const ACCOUNT = '111122223333';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;

/** A FAIL key as the KMS-002 rule judges one (rotation disabled). */
export function failKey(overrides: Partial<KeyResult> = {}): KeyResult {
  return makeKey({
    accountId: ACCOUNT,
    accountName: 'Payments',
    ouPath: 'Root/Workloads/Prod',
    ouIds: ['r-ab12', 'ou-ab12-cdef3456', 'ou-ab12-prod0001'],
    keyId: KEY_ID,
    keyArn: KEY_ARN,
    aliases: ['alias/legacy-vendor', 'alias/payments'],
    description: 'vendor key',
    creationDate: '2024-01-01T00:00:00.000Z',
    rotationEnabled: false,
    rotationPeriodDays: null,
    tags: { owner: 'vendor-x', env: 'prod' },
    status: 'FAIL',
    reason: 'Automatic rotation is disabled.',
    evaluatedAt: '2026-06-01T00:00:00.000Z',
    ...overrides,
  });
}

/** One register entry as YAML (two-space list indentation), with overridable fields. */
export function entryYaml(fields: Record<string, string> = {}): string {
  const merged: Record<string, string> = {
    id: 'EX-2026-001',
    scope: `\n      accounts: ["${ACCOUNT}"]`,
    reason: 'Vendor appliance re-wraps data keys itself',
    approver: 'jane.doe@example.com',
    ticket: 'SEC-1234',
    created: '2026-01-15',
    expires: '2026-12-31',
    ...fields,
  };
  const lines = Object.entries(merged).map(([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${v}`);
  return lines.join('\n') + '\n';
}
