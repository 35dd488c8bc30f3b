import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessControl } from '../../src/report/controls.js';
import { COVERAGE_COLUMNS, summariseCoverage } from '../../src/report/coverage.js';
import { emptyStatusCounts, type StatusCounts } from '../../src/core/results.js';
import { fixtureHeader } from '../fixtures/results-fixture.js';
import { readCsv, renderFixture } from './helpers.js';

const counts = (c: Partial<StatusCounts>): StatusCounts => ({ ...emptyStatusCounts(), ...c });
const complete = summariseCoverage({ ...fixtureHeader(), coverage: { accounts: [], regions: [] } });
const gappy = summariseCoverage(fixtureHeader());

describe('control status', () => {
  it('not met on any FAIL, whatever else; the basis carries the coverage verdict', () => {
    expect(assessControl(counts({ PASS: 5, FAIL: 1, ERROR: 3 }), gappy)).toEqual({ status: 'not met', basis: '1 key FAIL; coverage incomplete: 1 account, 1 account-region, 3 ERROR keys not assessed' });
    expect(assessControl(counts({ PASS: 5, FAIL: 2 }), complete)).toEqual({ status: 'not met', basis: '2 keys FAIL; coverage complete' });
    expect(assessControl(counts({ FAIL: 2 }), complete, 3).basis).toBe('2 keys FAIL (and 3 multi-Region replicas of failing primaries); coverage complete');
  });
  it('not assessed on ERROR, coverage gaps, an unfinished run, or no applicable key', () => {
    expect(assessControl(counts({ PASS: 5, ERROR: 2 }), complete)).toMatchObject({ status: 'not assessed', basis: 'no FAIL, but coverage incomplete: 2 ERROR keys not assessed' });
    expect(assessControl(counts({ PASS: 5 }), gappy)).toMatchObject({ status: 'not assessed', basis: 'no FAIL, but coverage incomplete: 1 account, 1 account-region not assessed' });
    expect(assessControl(counts({ PASS: 5 }), { ...complete, runComplete: false })).toMatchObject({ status: 'not assessed', basis: 'no FAIL, but coverage incomplete: what the unfinished run did not reach not assessed' });
    expect(assessControl(counts({ NOT_APPLICABLE: 9 }), complete)).toMatchObject({ status: 'not assessed', basis: 'no applicable keys in scope; coverage complete' });
  });
  it('met when every applicable key passes or is excepted and coverage is complete', () => {
    expect(assessControl(counts({ PASS: 5, EXCEPTION: 1, NOT_APPLICABLE: 3 }), complete)).toEqual({
      status: 'met',
      basis: 'all 6 applicable keys PASS or EXCEPTION (1 approved exception); coverage complete',
    });
  });
});

describe('controls.csv and coverage.csv', () => {
  it('controls.csv: one row per control shown, with counts as numbers', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'controls.csv'));
    expect(rows[0]).toEqual(['framework', 'version', 'control_id', 'title', 'status', 'pass', 'fail', 'exception', 'error', 'not_applicable', 'status_basis', 'confidence']);
    expect(rows.slice(1).map((r) => `${r[1]} ${r[2]} ${r[4]}`)).toEqual(['7.0.0 4.6 not met', '2019 21 not met', '2021 10.2 not met', '800-53r5 SC-12 not met', '800-53r5 SC-12(2) not met', '800-53r5 SC-28(3) not met']);
    expect(rows[1]!.slice(5, 10)).toEqual(['4', '13', '1', '4', '12']);
    // The basis carries the coverage verdict; interpretive mappings say so in the confidence column.
    expect(rows[1]![10]).toBe('13 keys FAIL; coverage incomplete: 1 account, 1 account-region, 4 ERROR keys not assessed');
    expect(rows.slice(1).map((r) => `${r[2]} ${r[11]}`)).toEqual(['4.6 medium', '21 interpretive', '10.2 interpretive', 'SC-12 high', 'SC-12(2) high', 'SC-28(3) medium']);
  });

  it('coverage.csv: a row per account-region, account rows for accounts not scanned, error codes', async () => {
    const { dir } = await renderFixture();
    const { rows } = await readCsv(join(dir, 'coverage.csv'));
    expect(rows[0]).toEqual([...COVERAGE_COLUMNS]);
    const body = rows.slice(1);
    const header = fixtureHeader();
    expect(body.filter((r) => r[1] === 'region')).toHaveLength(header.coverage.regions.length);
    const accountRows = body.filter((r) => r[1] === 'account');
    expect(accountRows.map((r) => [r[2], r[8], r[9], r[10]])).toEqual([
      ['444444444444', 'error', 'AccessDenied', 'sts:AssumeRole'],
      ['555555555555', 'skipped', '', ''],
    ]);
    expect(accountRows[1]![5]).toBe('SUSPENDED');
    expect(new Set(body.map((r) => r[8]))).toEqual(new Set(['scanned', 'not_enabled', 'error', 'skipped']));
    const regionError = body.find((r) => r[1] === 'region' && r[8] === 'error')!;
    expect([regionError[2], regionError[7], regionError[9]]).toEqual(['666666666666', 'ap-southeast-2', 'ThrottlingException']);
    // sorted by account, account row first, then region
    const order = body.map((r) => `${r[2]}/${r[1] === 'account' ? '' : r[7]}`);
    expect(order).toEqual([...order].sort());
  });
});

describe('not applicable causes', () => {
  it.each([
    ['Pending deletion (deletion date 2026-12-20): a key scheduled for deletion is not rotated.', 'Pending deletion'],
    ['Multi-Region replica key: rotation is set on its primary key arn:aws:kms:eu-west-1:1:key/mrk-1, which is judged in its own region.', 'Multi-Region replica key'],
    ['Key in an AWS CloudHSM custom key store (cks-1): automatic rotation is not supported.', 'Key in an AWS CloudHSM custom key store'],
    ['AWS managed key: AWS rotates its key material every year and customers cannot change that.', 'AWS managed key'],
    ['no label here', 'no label here'],
  ])('%s → %s', async (reason, expected) => {
    const { reasonCategory } = await import('../../src/report/summary.js');
    expect(reasonCategory(reason)).toBe(expected);
  });
});
