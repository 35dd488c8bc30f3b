/** What report.pdf computes before drawing: the reporting period, the set counts, the OU roll-up, the permissions used. */
import { describe, expect, it } from 'vitest';
import { reportingPeriodOf } from '../../src/report/pdf/period.js';
import { permissionsUsed } from '../../src/report/pdf/sections/methodology.js';
import { ReportSummary, setStatus } from '../../src/report/summary.js';
import type { KeyResult } from '../../src/core/results.js';
import { makeKey } from '../helpers/results.js';

describe('reporting period', () => {
  it('is none unless configured (none, or its former name snapshot)', () => {
    expect(reportingPeriodOf('none', '2026-12-02T10:00:00Z')).toBeNull();
    expect(reportingPeriodOf('snapshot', '2026-12-02T10:00:00Z')).toBeNull();
  });
  it('is the month or quarter around the snapshot (UTC), as a half-open range', () => {
    expect(reportingPeriodOf('quarter', '2026-12-02T10:00:00Z')).toEqual({ label: 'Q4 2026 (2026-10-01 to 2026-12-31)', start: '2026-10-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(reportingPeriodOf('month', '2026-02-14T10:00:00Z')).toEqual({ label: 'February 2026 (2026-02-01 to 2026-02-28)', start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
  });
});

describe('permissions used', () => {
  it('are the operations called, grouped by who needs them; operations never called are not listed', () => {
    expect(permissionsUsed({ 'kms:ListKeys': 3, 'sts:GetCallerIdentity': 1, 'organizations:ListOrganizationalUnitsForParent': 2, 'sts:AssumeRole': 2, 'kms:ListResourceTags': 0, 'kms:FutureCall': 1 })).toEqual([
      { caller: 'reader', operations: ['kms:ListKeys'] },
      { caller: 'scanner', operations: ['organizations:ListOrganizationalUnitsForParent', 'sts:AssumeRole'] },
      { caller: 'none', operations: ['sts:GetCallerIdentity'] },
      { caller: 'unknown', operations: ['kms:FutureCall'] },
    ]);
  });
});

describe('report summary', () => {
  const key = (over: Partial<KeyResult> & { keyId: string }): KeyResult => makeKey(over);
  const keys = [
    key({ keyId: 'a', ouIds: ['r-1'], ouPath: 'Root', status: 'PASS' }),
    key({ keyId: 'b', ouIds: ['r-1', 'ou-1'], ouPath: 'Root/Workloads', status: 'FAIL' }),
    key({ keyId: 'c', ouIds: ['r-1', 'ou-1', 'ou-2'], ouPath: 'Root/Workloads/Prod', status: 'FAIL' }),
    key({ keyId: 'd', ouIds: ['r-1', 'ou-1', 'ou-2'], ouPath: 'Root/Workloads/Prod', status: 'NOT_APPLICABLE', multiRegionType: 'REPLICA', primaryStatus: 'FAIL' }),
    key({ keyId: 'e', ouIds: ['r-1', 'ou-3'], ouPath: 'Root/Sandbox', status: 'NOT_APPLICABLE', keyManager: 'AWS' }),
    key({ keyId: 'f', ouIds: ['r-1', 'ou-3'], ouPath: 'Root/Sandbox', status: 'ERROR' }),
  ];
  const summary = new ReportSummary(365, 100);
  for (const k of keys) summary.add(k);

  it('counts a replica with its primary, and AWS managed keys apart', () => {
    expect(setStatus(keys[3]!)).toBe('FAIL');
    expect(summary.counts).toMatchObject({ PASS: 1, FAIL: 2, NOT_APPLICABLE: 2, ERROR: 1 });
    expect(summary.setCounts).toMatchObject({ PASS: 1, FAIL: 3, NOT_APPLICABLE: 1, ERROR: 1 });
    expect([summary.applicable, summary.applicableSets, summary.replicasCounted, summary.awsManaged]).toEqual([4, 5, 1, 1]);
    expect(summary.replicasFailingFor('KMS-002')).toBe(1);
    // The replica is a row of the failing-keys table, marked as failing through its primary.
    expect(summary.failingRows.map((r) => [r.keyId, r.throughPrimary])).toEqual([['b', false], ['c', false], ['d', true], ['f', false]]);
  });

  it('rolls OU counts up to every OU above, in tree order with depth', () => {
    expect(summary.ouTree().map((n) => [n.label, n.depth, n.counts.FAIL, n.counts.PASS + n.counts.FAIL + n.counts.EXCEPTION + n.counts.ERROR])).toEqual([
      ['Root', 0, 3, 5],
      ['Sandbox', 1, 0, 1],
      ['Workloads', 1, 3, 3],
      ['Prod', 2, 2, 2],
    ]);
  });
});
