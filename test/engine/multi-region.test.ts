/**
 * A multi-Region replica carries the status its primary is reported with (after the exceptions
 * stage), and re-judging checks that claim against the primary's own row.
 */
import { describe, expect, it } from 'vitest';
import type { KeyFacts } from '../../src/collect/facts.js';
import { describeDisagreement, Rejudge } from '../../src/evidence/rejudge.js';
import type { KeyResult } from '../../src/core/results.js';
import { markReplicas, type JudgedKey } from '../../src/engine/multi-region.js';
import { makeHeader, makeKey } from '../helpers/results.js';

const PRIMARY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/mrk-1';

function judged(result: KeyResult, judgedThroughPrimary?: string): JudgedKey {
  return { region: result.region, facts: {} as KeyFacts, judgement: { status: result.status, reason: result.reason, ruleError: null, ...(judgedThroughPrimary ? { judgedThroughPrimary } : {}) }, result };
}

const primary = (over: Partial<KeyResult> = {}): KeyResult =>
  makeKey({ keyId: 'mrk-1', region: 'us-east-1', multiRegionType: 'PRIMARY', rotationEnabled: false, status: 'FAIL', reason: 'Automatic key rotation is disabled (policy: at least every 365 days).', ...over });
const replica = (over: Partial<KeyResult> = {}): KeyResult =>
  makeKey({ keyId: 'mrk-1', region: 'eu-west-1', multiRegionType: 'REPLICA', primaryKeyArn: PRIMARY_ARN, rotationEnabled: null, status: 'NOT_APPLICABLE', reason: `Multi-Region replica key: rotation is set on its primary key ${PRIMARY_ARN}, judged FAIL in us-east-1.`, ...over });

describe('markReplicas', () => {
  it("gives a replica its primary's reported status; other keys get none", () => {
    const keys = [judged(primary()), judged(replica(), PRIMARY_ARN), judged(makeKey({ keyId: 'plain' }))];
    markReplicas(keys);
    expect(keys.map((k) => k.result.primaryStatus)).toEqual([undefined, 'FAIL', undefined]);
  });

  it('an exception on the primary (applied before) is what the replica carries, and its reason says so', () => {
    const keys = [judged(primary({ status: 'EXCEPTION', exceptionId: 'EX-1' })), judged(replica(), PRIMARY_ARN)];
    markReplicas(keys);
    expect(keys[1]!.result.primaryStatus).toBe('EXCEPTION');
    expect(keys[1]!.result.reason).toMatch(/The primary is reported as EXCEPTION \(EX-1\)\.$/);
  });

  it('a replica that is ERROR (its primary could not be judged) gets no primary status', () => {
    const keys = [judged(replica({ status: 'ERROR' }), PRIMARY_ARN)];
    markReplicas(keys);
    expect(keys[0]!.result.primaryStatus).toBeUndefined();
  });
});

describe("re-judging a replica's primary status", () => {
  const rejudge = (keys: KeyResult[]) => {
    const r = new Rejudge(makeHeader(), 'results.json');
    for (const key of keys) r.check(key);
    return r.report();
  };

  it('agrees when the claim is the status of the primary row', () => {
    expect(rejudge([primary(), replica({ primaryStatus: 'FAIL' })]).disagreements).toBe(0);
  });

  it('a replica edited to claim PASS for a FAIL primary is a disagreement naming the replica', () => {
    const report = rejudge([primary(), replica({ primaryStatus: 'PASS' })]);
    expect(report.disagreements).toBe(1);
    expect(describeDisagreement(report.listed[0]!)).toBe(`key arn:aws:kms:eu-west-1:111122223333:key/mrk-1: stored primary PASS, its facts give FAIL (its primary ${PRIMARY_ARN} is stored as FAIL)`);
  });

  it('a claim about a primary that is not in the document, or on a key that is no replica, is a disagreement', () => {
    expect(rejudge([replica({ primaryStatus: 'PASS' })]).disagreements).toBe(1);
    expect(rejudge([makeKey({ keyId: 'plain', primaryStatus: 'PASS' })]).disagreements).toBe(1);
  });
});
