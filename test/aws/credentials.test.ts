import { describe, expect, it } from 'vitest';
import { CachedCredentials, expiryMarginMs, refreshWindowMs, type AwsCredentials } from '../../src/aws/credentials.js';
import { roleArnResolver } from '../../src/core/role-arn.js';
import { UsageError } from '../../src/core/errors.js';

function session(lifetimeMs: number) {
  let clock = 1_000_000;
  let serial = 0;
  const waiting: ((c: AwsCredentials) => void)[] = [];
  const fetch = (): Promise<AwsCredentials> =>
    new Promise((resolve) => {
      serial++;
      const n = serial;
      waiting.push(() => resolve({ accessKeyId: `AKIA${n}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(clock + lifetimeMs) }));
    });
  const creds = new CachedCredentials(fetch, () => clock);
  return {
    creds,
    advance: (ms: number) => void (clock += ms),
    /** Answer every pending fetch. */
    answer: async () => {
      for (const resolve of waiting.splice(0)) resolve({} as AwsCredentials);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('CachedCredentials', () => {
  it('sizes its windows from the session lifetime', () => {
    expect(refreshWindowMs(3_600_000)).toBe(300_000);
    expect(refreshWindowMs(1000)).toBe(250);
    expect(expiryMarginMs(3_600_000)).toBe(30_000);
    expect(expiryMarginMs(1000)).toBe(100);
  });

  it('fetches once for concurrent callers, then reuses', async () => {
    const { creds, answer } = session(1000);
    const a = creds.get();
    const b = creds.get();
    await answer();
    expect((await a).accessKeyId).toBe('AKIA1');
    expect((await b).accessKeyId).toBe('AKIA1');
    expect(await creds.get()).toMatchObject({ accessKeyId: 'AKIA1' });
    expect(creds.fetches).toBe(1);
  });

  it('in the refresh window: answers the current credentials and refreshes in the background', async () => {
    const { creds, advance, answer } = session(1000);
    const first = creds.get();
    await answer();
    await first;
    advance(800); // past refreshAt (750), before freshUntil (900)
    expect((await creds.get()).accessKeyId).toBe('AKIA1');
    expect(creds.fetches).toBe(2);
    await answer();
    expect((await creds.get()).accessKeyId).toBe('AKIA2');
  });

  it('near expiry: not fresh, get() waits for new credentials, the SDK ask still answers at once', async () => {
    const { creds, advance, answer } = session(1000);
    const first = creds.get();
    await answer();
    await first;
    advance(950); // past freshUntil (900), before expiry (1000)
    expect(creds.isFresh()).toBe(false);
    expect((await creds.provider()).accessKeyId).toBe('AKIA1');
    const next = creds.get();
    await answer();
    expect((await next).accessKeyId).toBe('AKIA2');
    expect(creds.isFresh()).toBe(true);
  });

  it('invalidate() forces a fetch', async () => {
    const { creds, answer } = session(3_600_000);
    const first = creds.get();
    await answer();
    await first;
    creds.invalidate();
    expect(creds.isFresh()).toBe(false);
    const next = creds.get();
    await answer();
    expect((await next).accessKeyId).toBe('AKIA2');
  });

  it('marks its provider memoized so SDK clients do not wrap it', () => {
    expect(session(1000).creds.provider.memoized).toBe(true);
  });

  it('a failed fetch rejects the waiting callers and is retried on the next ask', async () => {
    let calls = 0;
    const creds = new CachedCredentials(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      return { accessKeyId: 'AKIA', secretAccessKey: 's' };
    });
    await expect(creds.get()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await creds.get()).accessKeyId).toBe('AKIA');
  });
});

describe('role ARN', () => {
  it('builds arn:${partition}:iam::${accountId}:role/<name> from --role-name', () => {
    expect(roleArnResolver({ roleName: 'KmsRotationAuditReader', roleArnTemplate: null })('aws', '123456789012')).toBe('arn:aws:iam::123456789012:role/KmsRotationAuditReader');
    expect(roleArnResolver({ roleName: 'R', roleArnTemplate: null })('aws-us-gov', '123456789012')).toBe('arn:aws-us-gov:iam::123456789012:role/R');
  });

  it('substitutes a template with a path', () => {
    const resolve = roleArnResolver({ roleName: 'ignored', roleArnTemplate: 'arn:${partition}:iam::${accountId}:role/security/audit/Reader' });
    expect(resolve('aws', '210987654321')).toBe('arn:aws:iam::210987654321:role/security/audit/Reader');
  });

  it.each([
    ['arn:${partition}:iam::${account}:role/R', /unknown placeholder \$\{account\}.*expected \$\{partition\} or \$\{accountId\}/],
    ['arn:${partition}:iam::${accountId}:role/${region}', /unknown placeholder \$\{region\}/],
    ['arn:aws:iam::123456789012:role/R', /expected \$\{accountId\} in the template/],
    ['arn:${partition}:iam::${accountId}:user/R', /does not give an IAM role ARN/],
    ['arn:${partition}:iam::${accountId}:role/bad name', /does not give an IAM role ARN/],
  ])('rejects %s with a UsageError naming the flag', (template, message) => {
    expect(() => roleArnResolver({ roleName: 'R', roleArnTemplate: template })).toThrow(UsageError);
    expect(() => roleArnResolver({ roleName: 'R', roleArnTemplate: template })).toThrow(message);
    expect(() => roleArnResolver({ roleName: 'R', roleArnTemplate: template })).toThrow(/^--role-arn-template: /);
  });

  it('rejects a role name that does not make an ARN', () => {
    expect(() => roleArnResolver({ roleName: 'bad name', roleArnTemplate: null })).toThrow(/^--role-name: /);
  });
});
