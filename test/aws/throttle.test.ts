import { describe, expect, it } from 'vitest';
import { AwsCallError, classifyError, errorCode, toErrorRecord } from '../../src/aws/errors.js';
import { Throttle, type ThrottleConfig } from '../../src/aws/throttle.js';
import { UsageError } from '../../src/core/errors.js';

/** An error shaped like an SDK v3 ServiceException. */
function awsError(name: string, status = 400, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function networkError(code: string): Error {
  return Object.assign(new Error('socket hang up'), { code });
}

function throttle(over: Partial<ThrottleConfig> = {}): { throttle: Throttle; sleeps: number[] } {
  const sleeps: number[] = [];
  const t = new Throttle({
    concurrency: 4,
    quotaSafety: 1,
    quotaOverrides: {},
    maxAttempts: 4,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  });
  return { throttle: t, sleeps };
}

const scope = { accountId: '111111111111', region: 'eu-west-1', operation: 'kms:DescribeKey' };

function failing(errors: Error[], value = 'ok'): () => Promise<string> {
  let i = 0;
  return async () => {
    const err = errors[i++];
    if (err) throw err;
    return value;
  };
}

describe('error classification', () => {
  it.each([
    ['ThrottlingException', 400, 'throttling'],
    ['TooManyRequestsException', 400, 'throttling'],
    ['Throttling', 400, 'throttling'],
    ['KMSInternalException', 500, 'server'],
    ['UnknownError', 503, 'server'],
    ['AccessDeniedException', 400, 'fatal'],
    ['NotFoundException', 400, 'not-found'],
    ['ValidationException', 400, 'fatal'],
    ['UnrecognizedClientException', 400, 'not-enabled'],
    ['InvalidClientTokenId', 403, 'not-enabled'],
    ['ExpiredTokenException', 400, 'expired-credentials'],
  ])('%s (HTTP %i) is %s', (name, status, cls) => {
    expect(classifyError(awsError(name, status))).toBe(cls);
  });

  it('classifies dropped connections and timeouts as network errors', () => {
    expect(classifyError(networkError('ECONNRESET'))).toBe('network');
    expect(classifyError(Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }))).toBe('network');
    expect(errorCode(networkError('ECONNRESET'))).toBe('ECONNRESET');
  });

  it('never retries an error already retried by its own layer', () => {
    expect(classifyError(new AwsCallError({ code: 'Throttling', message: 'Rate exceeded', operation: 'sts:AssumeRole' }))).toBe('fatal');
  });

  it('records code, operation and a short single-line message', () => {
    const record = toErrorRecord(awsError('AccessDeniedException', 400, 'denied\nfor x'.padEnd(900, 'y')), 'kms:ListKeys');
    expect(record.code).toBe('AccessDeniedException');
    expect(record.operation).toBe('kms:ListKeys');
    expect(record.message.startsWith('denied for x')).toBe(true);
    expect(record.message.length).toBe(500);
    expect(toErrorRecord(new AwsCallError({ code: 'AccessDenied', message: 'no', operation: 'sts:AssumeRole' }), 'kms:ListKeys').operation).toBe('sts:AssumeRole');
  });
});

describe('Throttle retries (the only retry layer)', () => {
  it('retries throttling with full-jitter exponential back-off, then succeeds', async () => {
    const { throttle: t, sleeps } = throttle();
    const value = await t.call(scope, failing([awsError('ThrottlingException'), awsError('ThrottlingException')]));
    expect(value).toBe('ok');
    // random() = 0.5 of 500 ms, then of 1000 ms
    expect(sleeps).toEqual([250, 500]);
    const stats = t.stats();
    expect(stats.retries).toBe(2);
    expect(stats.retriesByClass).toEqual({ throttling: 2 });
    expect(stats.apiCalls).toEqual({ 'kms:DescribeKey': 3 });
  });

  it('retries 5xx and dropped connections with the smaller base', async () => {
    const { throttle: t, sleeps } = throttle();
    await t.call(scope, failing([awsError('KMSInternalException', 500), networkError('ECONNRESET')]));
    expect(sleeps).toEqual([50, 100]);
    expect(t.stats().retriesByClass).toEqual({ server: 1, network: 1 });
  });

  it('caps the back-off', () => {
    const { throttle: t } = throttle({ random: () => 1, maxDelayMs: 3000 });
    expect(t.backoffMs(10, 'throttling')).toBe(3000);
  });

  it.each(['AccessDeniedException', 'NotFoundException', 'ValidationException', 'UnrecognizedClientException'])('never retries %s', async (name) => {
    const { throttle: t, sleeps } = throttle();
    await expect(t.call(scope, failing([awsError(name)]))).rejects.toMatchObject({ name });
    expect(sleeps).toEqual([]);
    expect(t.stats().retries).toBe(0);
  });

  it('gives up after maxAttempts and counts the exhausted call', async () => {
    const { throttle: t } = throttle({ maxAttempts: 3 });
    const errors = Array.from({ length: 5 }, () => awsError('ThrottlingException'));
    await expect(t.call(scope, failing(errors))).rejects.toMatchObject({ name: 'ThrottlingException' });
    const stats = t.stats();
    expect(stats.apiCalls['kms:DescribeKey']).toBe(3);
    expect(stats.retries).toBe(2);
    expect(stats.exhausted).toBe(1);
  });

  it('an expired token refreshes credentials and retries without sleeping; without a session it is final', async () => {
    const { throttle: t, sleeps } = throttle();
    let refreshed = 0;
    const session = { get: async () => undefined, isFresh: () => true, invalidate: () => void refreshed++ };
    await t.call(scope, failing([awsError('ExpiredTokenException')]), { session });
    expect(refreshed).toBe(1);
    expect(sleeps).toEqual([]);
    await expect(t.call(scope, failing([awsError('ExpiredTokenException')]))).rejects.toMatchObject({ name: 'ExpiredTokenException' });
  });

  it('credentials stale in the slot every time: each try counts against the budget, then the call fails', async () => {
    // Issue 13: this path (then NOT_READY, `attempt--; continue`) sat outside maxAttempts and never ended.
    const { throttle: t } = throttle({ maxAttempts: 3 });
    let gets = 0;
    let sent = 0;
    const session = { get: async () => void gets++, isFresh: () => false, invalidate: () => {} };
    await expect(t.call(scope, async () => void sent++, { session })).rejects.toMatchObject({ name: 'CredentialsExpiredBeforeSend' });
    expect(gets).toBe(3);
    expect(sent).toBe(0);
    expect(t.stats().exhausted).toBe(1);
  });

  it('calls onAttempt before every attempt', async () => {
    const { throttle: t } = throttle();
    let attempts = 0;
    await t.call(scope, failing([awsError('ThrottlingException')]), { onAttempt: () => attempts++ });
    expect(attempts).toBe(2);
  });
});

describe('Throttle limits', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    const { throttle: t } = throttle({ concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    const send = async (): Promise<void> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => t.call({ ...scope, accountId: String(100000000000 + (i % 5)) }, send)));
    expect(peak).toBe(3);
    expect(t.stats().maxInFlight).toBe(3);
    expect(t.stats().inFlight).toBe(0);
  });

  it('sizes limiters from the published quota × safety, with overrides and the shared share', () => {
    const { throttle: t } = throttle({ quotaSafety: 0.5, quotaOverrides: { 'kms:ListKeyRotations': 300 }, sharedQuotaShare: 0.25 });
    expect(t.rateFor({ ...scope, operation: 'kms:DescribeKey' })).toBe(1000);
    expect(t.rateFor({ ...scope, operation: 'kms:ListKeyRotations' })).toBe(150);
    expect(t.rateFor({ ...scope, operation: 'sts:AssumeRole', shared: true })).toBe(75);
    expect(t.rateFor({ ...scope, operation: 'organizations:ListAccounts', shared: true })).toBeCloseTo(2.5);
    const overridden = throttle({ quotaSafety: 0.5, quotaOverrides: { 'organizations:*': 4 } }).throttle;
    expect(overridden.rateFor({ ...scope, operation: 'organizations:ListAccounts', shared: true })).toBe(2);
  });

  it('shared limiters are token buckets: one second of burst, then the budgeted rate', async () => {
    const { throttle: t } = throttle({ quotaOverrides: { 'organizations:*': 4 } });
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => t.call({ ...scope, operation: 'organizations:ListAccounts', shared: true }, async () => void starts.push(performance.now() - t0))));
    t.close();
    expect(starts.filter((ms) => ms < 100)).toHaveLength(4);
    expect(starts.at(-1)!).toBeGreaterThan(400);
  });

  it('shared buckets refill at the budgeted rate, not once per Bottleneck heartbeat (250 ms)', async () => {
    // 10/s: a burst of 10, then one every 100 ms (4 more by ~400 ms; one per 250 ms would need ~1 s).
    const { throttle: t } = throttle({ quotaOverrides: { 'organizations:*': 10 } });
    const starts: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 14 }, () => t.call({ ...scope, operation: 'organizations:ListAccounts', shared: true }, async () => void starts.push(performance.now() - t0))));
    t.close();
    // Bottleneck launches its jobs a few ms apart (more on a busy machine): the burst is the first 10.
    const burstEnd = starts[9]!;
    expect(burstEnd).toBeLessThan(300);
    expect(starts.at(-1)! - burstEnd).toBeGreaterThan(250);
    expect(starts.at(-1)! - burstEnd).toBeLessThan(650);
  });

  it('shared calls take the next free slot before queued per-account calls', async () => {
    const { throttle: t } = throttle({ concurrency: 1 });
    const order: string[] = [];
    const send = (name: string) => async (): Promise<void> => {
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 40));
    };
    const calls = [0, 1, 2].map((i) => t.call({ ...scope, accountId: String(200000000000 + i) }, send(`kms${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    calls.push(t.call({ ...scope, operation: 'organizations:ListAccounts', shared: true }, send('org')));
    await Promise.all(calls);
    t.close();
    expect(order).toEqual(['kms0', 'org', 'kms1', 'kms2']);
  });

  it('spaces calls of one scope at the budgeted rate', async () => {
    // 100/s × 1.0 → one launch per 10 ms.
    const { throttle: t } = throttle({ quotaOverrides: { 'kms:ListKeyRotations': 100 } });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => t.call({ ...scope, operation: 'kms:ListKeyRotations' }, async () => void starts.push(performance.now()))));
    // Six launches 10 ms apart span at least 50 ms (timers may fire a little early or late one by one).
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(45);
  });

  it('releases an account’s limiters, but not the shared ones', async () => {
    const { throttle: t } = throttle();
    await t.call(scope, async () => 1);
    await t.call({ ...scope, operation: 'kms:ListKeys' }, async () => 1);
    await t.call({ ...scope, operation: 'sts:AssumeRole', shared: true }, async () => 1);
    expect(t.stats().limiters).toBe(3);
    t.releaseAccount(scope.accountId);
    expect(t.stats().limiters).toBe(1);
  });

  it('rejects unknown quota overrides with a UsageError naming them', () => {
    expect(() => throttle({ quotaOverrides: { 'kms:Nope': 5 } })).toThrow(UsageError);
    expect(() => throttle({ quotaOverrides: { 'kms:Nope': 5 } })).toThrow(/quotaOverrides: unknown operation "kms:Nope"/);
    expect(() => throttle({ quotaOverrides: { 'kms:DescribeKey': 0 } })).toThrow(/quotaOverrides.kms:DescribeKey: expected a positive number/);
  });
});
