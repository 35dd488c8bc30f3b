import { describe, expect, it } from 'vitest';
import { isWildcardScope, scopeText, wildcardReach } from '../../src/exceptions/scope.js';
import { ACCOUNT, KEY_ARN } from './helpers.js';

describe('wildcard scopes', () => {
  it('says what a scope reaches when it does not name its keys, every kind joined', () => {
    expect(wildcardReach({ accounts: [ACCOUNT] })).toBe('any key in 1 account');
    expect(wildcardReach({ accounts: [ACCOUNT, '222233334444'], ous: ['ou-ab12-cdef3456'] })).toBe('any key in 2 accounts in any account below 1 OU');
    expect(wildcardReach({ accounts: [ACCOUNT], aliases: ['alias/*-prod-*', 'alias/exact'] })).toBe('any key in 1 account with an alias matching alias/*-prod-* or alias/exact');
    expect(wildcardReach({ tags: { owner: 'vendor-x', env: 'prod' } })).toBe('any key tagged owner=vendor-x and env=prod');
  });

  it('does not flag a scope that names its keys, whatever else it gives', () => {
    expect(isWildcardScope({ keys: [KEY_ARN] })).toBe(false);
    expect(isWildcardScope({ keys: [KEY_ARN], accounts: [ACCOUNT], aliases: ['alias/*'], tags: { owner: 'x' } })).toBe(false);
    expect(isWildcardScope({ accounts: [ACCOUNT] })).toBe(true);
  });

  it('writes the scope in the register order, capped on request', () => {
    const scope = { tags: { owner: 'vendor-x', env: 'prod' }, accounts: [ACCOUNT, '222233334444', '333344445555'], aliases: ['alias/a'] };
    expect(scopeText(scope)).toBe(`accounts: ${ACCOUNT}, 222233334444, 333344445555; aliases: alias/a; tags: owner=vendor-x, env=prod`);
    expect(scopeText(scope, 2, '\n')).toBe(`accounts: ${ACCOUNT}, 222233334444 and 1 more\naliases: alias/a\ntags: owner=vendor-x, env=prod`);
    expect(scopeText({})).toBe('every key (no scope given)');
  });
});
