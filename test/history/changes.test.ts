import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeChanges, type KeyChange } from '../../src/report/changes.js';
import { makeKey, scannedRegion, writeRun } from '../helpers/results.js';

describe('changes between two runs', () => {
  it('classifies newly failing, fixed, new, gone, not assessed and other status changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-changes-'));
    const before = await writeRun(join(dir, 'a'), [
      makeKey({ keyId: 'k1', status: 'PASS' }),
      makeKey({ keyId: 'k2', status: 'FAIL' }),
      makeKey({ keyId: 'k3', status: 'PASS' }),
      makeKey({ keyId: 'k4', status: 'FAIL' }),
      makeKey({ keyId: 'k5', status: 'PASS' }),
      makeKey({ keyId: 'k6', status: 'PASS', region: 'us-east-1' }),
      makeKey({ keyId: 'k7', status: 'NOT_APPLICABLE' }),
    ], { scanId: 'old', finishedAt: '2026-11-27T00:00:00.000Z' });
    const afterKeys = [
      makeKey({ keyId: 'k1', status: 'FAIL' }),
      makeKey({ keyId: 'k2', status: 'PASS' }),
      makeKey({ keyId: 'k4', status: 'EXCEPTION' }),
      makeKey({ keyId: 'k5', status: 'PASS' }),
      makeKey({ keyId: 'k7', status: 'NOT_APPLICABLE' }),
      makeKey({ keyId: 'k8', status: 'FAIL' }),
    ];
    // us-east-1 could not be listed this time: its keys are not "gone".
    const after = await writeRun(join(dir, 'b'), afterKeys, {
      coverage: { accounts: [], regions: [scannedRegion('111122223333', 'eu-west-1'), scannedRegion('111122223333', 'us-east-1', 'error')] },
    });
    const changes: KeyChange[] = [];
    const summary = await summarizeChanges(before, after, (c) => {
      changes.push(c);
    });
    expect(changes.map((c) => [c.keyId, c.kind])).toEqual([
      ['k1', 'newly_failing'],
      ['k2', 'fixed'],
      ['k3', 'gone'],
      ['k4', 'status_changed'],
      ['k8', 'new'],
      ['k6', 'not_assessed'],
    ]);
    expect(summary).toEqual({
      previousScanId: 'old',
      previousFinishedAt: '2026-11-27T00:00:00.000Z',
      counts: { newly_failing: 1, fixed: 1, new: 1, gone: 1, not_assessed: 1, status_changed: 1 },
    });
  });

  it('reports nothing for identical runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-changes-'));
    const keys = [makeKey({ keyId: 'k1' }), makeKey({ keyId: 'k2', status: 'FAIL' })];
    const a = await writeRun(join(dir, 'a'), keys);
    const b = await writeRun(join(dir, 'b'), keys);
    const summary = await summarizeChanges(a, b);
    expect(Object.values(summary.counts).every((n) => n === 0)).toBe(true);
  });
});
