import { describe, expect, it } from 'vitest';
import { evidenceGapsCell } from '../../src/report/findings.js';
import { evidenceGapText } from '../../src/report/pdf/sections/coverage.js';
import { ReportSummary } from '../../src/report/summary.js';
import { fixtureKeys } from '../fixtures/results-fixture.js';

describe('evidence gaps (issue 10): recorded, counted, never a status', () => {
  const gap = (evidence: 'rotation-history' | 'tags' | 'aliases', code: string, operation: string) => ({ evidence, error: { code, message: 'm', operation } });

  it('findings.csv evidence_gaps names each missing piece of evidence with the AWS code and operation', () => {
    expect(evidenceGapsCell({ evidenceGaps: [] })).toBeNull();
    expect(evidenceGapsCell({})).toBeNull();
    expect(evidenceGapsCell({ evidenceGaps: [gap('rotation-history', 'AccessDeniedException', 'kms:ListKeyRotations'), gap('aliases', 'AccessDeniedException', 'kms:ListAliases')] })).toBe(
      'rotation history: AccessDeniedException at kms:ListKeyRotations; aliases: AccessDeniedException at kms:ListAliases',
    );
  });

  it('the PDF coverage statement says "rotation history not available for N keys" with the AWS codes', () => {
    const summary = new ReportSummary(365, 100);
    const keys = [...fixtureKeys()];
    for (const key of keys) summary.add(key);
    const withGaps = keys.filter((k) => (k.evidenceGaps ?? []).length > 0);
    expect(withGaps.length).toBeGreaterThan(0);
    const text = evidenceGapText(summary.evidenceGaps)!;
    expect(text).toContain(`rotation history not available for ${withGaps.length === 1 ? '1 key' : `${withGaps.length} keys`} (AccessDeniedException)`);
    expect(text).toContain('statuses unaffected');
    const map = new Map([['rotation-history|AccessDeniedException', 3], ['rotation-history|UnsupportedOperationException', 1], ['tags|AccessDeniedException', 2]]);
    expect(evidenceGapText(map)).toBe(
      'Evidence gaps (statuses unaffected; the verdict comes from DescribeKey and GetKeyRotationStatus): rotation history not available for 4 keys (AccessDeniedException, UnsupportedOperationException); tags not available for 2 keys (AccessDeniedException). Each key\'s gaps are in findings.csv, column evidence_gaps.',
    );
    expect(evidenceGapText(new Map())).toBeNull();
  });
});
