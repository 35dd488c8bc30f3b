import { describe, expect, it } from 'vitest';
import { aliasGlob, applyExceptions, registerNeedsTags, scopeMatches } from '../../src/exceptions/match.js';
import { createExceptionUsage, unusedEntries } from '../../src/exceptions/usage.js';
import type { ExceptionEntry, ExceptionRegister, ExceptionScope } from '../../src/exceptions/types.js';
import type { Status } from '../../src/core/results.js';
import { ACCOUNT, KEY_ARN, failKey } from './helpers.js';

const now = new Date('2026-06-01T12:00:00Z');

function entry(scope: ExceptionScope, overrides: Partial<ExceptionEntry> = {}): ExceptionEntry {
  return { id: 'EX-1', scope, reason: 'Vendor appliance re-wraps data keys itself', approver: 'jane.doe@example.com', ticket: 'SEC-1234', created: '2026-01-15', expires: '2026-12-31', line: 2, ...overrides };
}

function register(...entries: ExceptionEntry[]): ExceptionRegister {
  return { source: 'exceptions.yaml', maxDays: 365, entries };
}

describe('scopeMatches', () => {
  it.each<[string, ExceptionScope, 'match' | 'no-match']>([
    ['account', { accounts: [ACCOUNT] }, 'match'],
    ['other account', { accounts: ['999999999999'] }, 'no-match'],
    ['OU anywhere above the account', { ous: ['ou-ab12-cdef3456'] }, 'match'],
    ['root', { ous: ['r-ab12'] }, 'match'],
    ['other OU', { ous: ['ou-ab12-other000'] }, 'no-match'],
    ['key ARN', { keys: [KEY_ARN] }, 'match'],
    ['other key ARN', { keys: [KEY_ARN.replace('1234abcd', 'ffffffff')] }, 'no-match'],
    ['alias pattern', { aliases: ['alias/legacy-*'] }, 'match'],
    ['exact alias', { aliases: ['alias/payments'] }, 'match'],
    ['alias pattern matching none', { aliases: ['alias/legacy'] }, 'no-match'],
    ['tags, all equal', { tags: { owner: 'vendor-x', env: 'prod' } }, 'match'],
    ['tags, one differs', { tags: { owner: 'vendor-x', env: 'dev' } }, 'no-match'],
    ['tag absent on the key', { tags: { team: 'x' } }, 'no-match'],
    ['every kind matching', { accounts: [ACCOUNT], ous: ['r-ab12'], keys: [KEY_ARN], aliases: ['alias/*'], tags: { owner: 'vendor-x' } }, 'match'],
    ['all but one kind matching', { accounts: [ACCOUNT], ous: ['r-ab12'], keys: [KEY_ARN], aliases: ['alias/nope-*'], tags: { owner: 'vendor-x' } }, 'no-match'],
  ])('%s', (_what, scope, expected) => {
    expect(scopeMatches(entry(scope), failKey())).toBe(expected);
  });

  it('cannot decide a tag scope when the key has no collected tags', () => {
    expect(scopeMatches(entry({ tags: { owner: 'vendor-x' } }), failKey({ tags: null }))).toBe('tags-unknown');
    // Another kind already rules it out: no need for tags.
    expect(scopeMatches(entry({ accounts: ['999999999999'], tags: { owner: 'vendor-x' } }), failKey({ tags: null }))).toBe('no-match');
  });

  it('does not let inherited object properties stand in for tags', () => {
    expect(scopeMatches(entry({ tags: { constructor: 'function Object() { [native code] }' } }), failKey({ tags: {} }))).toBe('no-match');
  });

  it('treats only * as a wildcard in alias patterns', () => {
    expect(aliasGlob('alias/a.b-*').test('alias/a.b-c/d')).toBe(true);
    expect(aliasGlob('alias/a.b-*').test('alias/aXb-c')).toBe(false);
    expect(aliasGlob('alias/*/x').test('alias/team/sub/x')).toBe(true);
  });
});

describe('applyExceptions', () => {
  it('turns a FAIL into EXCEPTION with the id, approver, ticket, expiry and the original reason', () => {
    const key = failKey();
    const result = applyExceptions(key, register(entry({ accounts: [ACCOUNT] })), now);
    expect(result.status).toBe('EXCEPTION');
    expect(result.exceptionId).toBe('EX-1');
    expect(result.reason).toBe(
      'Approved exception EX-1 (approver jane.doe@example.com, ticket SEC-1234, expires 2026-12-31): Vendor appliance re-wraps data keys itself. Finding without the exception: Automatic rotation is disabled.',
    );
    expect(key.status).toBe('FAIL'); // the input is not changed
  });

  it.each<Status>(['PASS', 'NOT_APPLICABLE', 'ERROR', 'EXCEPTION'])('leaves a %s key untouched', (status) => {
    const key = failKey({ status, reason: 'as judged' });
    const usage = createExceptionUsage(register(entry({ accounts: [ACCOUNT] })));
    expect(applyExceptions(key, register(entry({ accounts: [ACCOUNT] })), now, usage)).toBe(key);
    expect(usage.entries.get('EX-1')!.keysCovered).toBe(0);
  });

  it('keeps a key FAIL under an expired entry and says which exception expired and when', () => {
    const reg = register(entry({ accounts: [ACCOUNT] }, { id: 'EX-OLD', created: '2025-06-01', expires: '2026-05-31' }));
    const result = applyExceptions(failKey(), reg, now);
    expect(result.status).toBe('FAIL');
    expect(result.exceptionId).toBeNull();
    expect(result.reason).toBe('Automatic rotation is disabled. Exception EX-OLD (approver jane.doe@example.com, ticket SEC-1234) expired on 2026-05-31 and no longer applies.');
  });

  it('applies an entry through the whole of its expiry day (UTC)', () => {
    const reg = register(entry({ accounts: [ACCOUNT] }, { expires: '2026-06-01' }));
    expect(applyExceptions(failKey(), reg, new Date('2026-06-01T23:59:59Z'), undefined).status).toBe('EXCEPTION');
    expect(applyExceptions(failKey(), reg, new Date('2026-06-02T00:00:00Z'), undefined).status).toBe('FAIL');
  });

  it('prefers a valid entry over an expired one, and the first valid entry in file order', () => {
    const reg = register(
      entry({ accounts: [ACCOUNT] }, { id: 'EX-OLD', created: '2025-01-01', expires: '2025-12-31' }),
      entry({ aliases: ['alias/legacy-*'] }, { id: 'EX-A' }),
      entry({ keys: [KEY_ARN] }, { id: 'EX-B' }),
    );
    const usage = createExceptionUsage(reg);
    const result = applyExceptions(failKey(), reg, now, usage);
    expect(result.exceptionId).toBe('EX-A');
    // Every matching entry records the key: none of them is unused.
    expect([...usage.entries.values()].map((u) => [u.id, u.keysCovered])).toEqual([['EX-OLD', 1], ['EX-A', 1], ['EX-B', 1]]);
    expect(unusedEntries(reg, usage)).toEqual([]);
  });

  it('counts keys whose tags were not collected as undecided, keeps them FAIL and says so', () => {
    const reg = register(entry({ tags: { owner: 'vendor-x' } }, { id: 'EX-TAG' }));
    const usage = createExceptionUsage(reg);
    const result = applyExceptions(failKey({ tags: null }), reg, now, usage);
    expect(result.status).toBe('FAIL');
    expect(result.reason).toMatch(/Exception EX-TAG could not be checked: its scope names tags, and this key's tags were not collected\.$/);
    expect(usage.entries.get('EX-TAG')).toMatchObject({ keysCovered: 0, tagsUndecided: 1 });
  });

  it('lists entries that matched nothing as unused, and caps the keys kept per entry', () => {
    const reg = register(entry({ accounts: [ACCOUNT] }, { id: 'EX-USED' }), entry({ accounts: ['999999999999'] }, { id: 'EX-UNUSED' }));
    const usage = createExceptionUsage(reg, { maxKeysPerEntry: 2 });
    for (let i = 0; i < 5; i++) applyExceptions(failKey({ keyId: `k${i}`, keyArn: `${KEY_ARN}${i}` }), reg, now, usage);
    expect(unusedEntries(reg, usage).map((e) => e.id)).toEqual(['EX-UNUSED']);
    expect(usage.entries.get('EX-USED')).toMatchObject({ keysCovered: 5, keysOmitted: 3 });
    expect(usage.entries.get('EX-USED')!.keys.map((k) => k.keyId)).toEqual(['k0', 'k1']);
  });

  it('says when the engine must collect tags', () => {
    expect(registerNeedsTags(register(entry({ accounts: [ACCOUNT] })))).toBe(false);
    expect(registerNeedsTags(register(entry({ accounts: [ACCOUNT] }), entry({ tags: { owner: 'x' } })))).toBe(true);
    expect(registerNeedsTags(register())).toBe(false);
  });
});
