import { describe, expect, it } from 'vitest';
import { isWildcardScope, scopeText, wildcardReasons } from '../../src/exceptions/scope.js';
import { ACCOUNT, KEY_ARN } from './helpers.js';

describe('wildcard scopes', () => {
  it('names what makes a scope reach keys nobody listed', () => {
    expect(wildcardReasons({ accounts: [ACCOUNT] })).toEqual(['account-wide (any key in 1 account)']);
    expect(wildcardReasons({ accounts: [ACCOUNT, '222233334444'], ous: ['ou-ab12-cdef3456'] })).toEqual(['account-wide (any key in 2 accounts)', 'OU-wide (any key in any account below 1 OU)']);
    expect(wildcardReasons({ aliases: ['alias/*', 'alias/legacy-*', 'alias/exact'] })).toEqual(['alias patterns alias/*, alias/legacy-*', 'alias name (whichever key it points to)']);
    expect(wildcardReasons({ tags: { owner: 'vendor-x' } })).toEqual(['tag scope (any key carrying the tags)']);
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
