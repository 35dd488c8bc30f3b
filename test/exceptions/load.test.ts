import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExceptions } from '../../src/exceptions/load.js';
import { isWildcardScope } from '../../src/exceptions/scope.js';
import { ACCOUNT, KEY_ARN, entryYaml, registerFile } from './helpers.js';

const now = new Date('2026-06-01T12:00:00Z');

async function loadError(text: string, maxDays?: number): Promise<{ path: string; message: string }> {
  const path = await registerFile(text);
  const error = await loadExceptions(path, { now, maxDays }).then(
    () => null,
    (e: Error) => e,
  );
  expect(error, 'expected the register to be refused').toBeInstanceOf(Error);
  expect(error!.name).toBe('UsageError');
  expect(error!.message).not.toContain('\n');
  return { path, message: error!.message };
}

describe('loadExceptions', () => {
  it('reads the shape given in issue #6, dates kept as text', async () => {
    const path = await registerFile(`# shared register
exceptions:
  - id: EX-2026-001
    scope:                      # every kind given must match
      accounts: ["${ACCOUNT}"]
      ous: ["ou-ab12-cdef3456"]
      keys: ["${KEY_ARN}"]
      aliases: ["alias/legacy-*"]
      tags: { owner: vendor-x }
    reason: Vendor appliance re-wraps data keys itself
    approver: jane.doe@example.com
    ticket: SEC-1234
    created: 2026-01-15
    expires: 2026-12-31
`);
    const register = await loadExceptions(path, { now });
    expect(register.maxDays).toBe(365);
    expect(register.source).toBe(path);
    // The register is cited by its name and the digest of the bytes parsed, never by the path it was read from.
    const bytes = await readFile(path);
    expect(register.file).toEqual({ name: 'exceptions.yaml', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(register.entries).toEqual([
      {
        id: 'EX-2026-001',
        scope: { accounts: [ACCOUNT], ous: ['ou-ab12-cdef3456'], keys: [KEY_ARN], aliases: ['alias/legacy-*'], tags: { owner: 'vendor-x' } },
        reason: 'Vendor appliance re-wraps data keys itself',
        approver: 'jane.doe@example.com',
        ticket: 'SEC-1234',
        created: '2026-01-15',
        expires: '2026-12-31',
        line: 3,
      },
    ]);
  });

  it('keeps unquoted numbers exactly as written (account ids with a leading zero, numeric tag values)', async () => {
    const path = await registerFile('exceptions:\n' + entryYaml({ scope: '\n      accounts: [012345678901]\n      tags: { cost-center: 0042, managed: true }' }));
    const [entry] = (await loadExceptions(path, { now })).entries;
    expect(entry!.scope).toEqual({ accounts: ['012345678901'], tags: { 'cost-center': '0042', managed: 'true' } });
  });

  it('accepts an empty list of exceptions', async () => {
    const path = await registerFile('exceptions: []\n');
    expect((await loadExceptions(path, { now })).entries).toEqual([]);
  });

  it.each([
    ['an unknown entry field', entryYaml({ approvedBy: 'x' }), 10, /exceptions\.0\.approvedBy: unknown field \(expected one of: id, scope, reason, approver, ticket, created, expires, approved, riskOwner, compensatingControl\)/],
    ['a misspelt scope kind', entryYaml({ scope: '\n      acounts: ["111122223333"]' }), 4, /exceptions\.0\.scope\.acounts: unknown field \(expected one of: accounts, ous, keys, aliases, tags\)/],
    ['a missing expiry', entryYaml({ expires: '' }).replace(/\n {4}expires: \n/, '\n'), 2, /exceptions\.0\.expires: missing expires date/],
    ['an empty reason', entryYaml({ reason: '""' }), 5, /exceptions\.0\.reason: expected reason, got an empty value/],
    ['a date with a time', entryYaml({ created: '2026-01-15T10:00:00Z' }), 8, /exceptions\.0\.created: expected the created date as YYYY-MM-DD, got "2026-01-15T10:00:00Z"/],
    ['an impossible date', entryYaml({ expires: '2026-02-30' }), 9, /exceptions\.0\.expires: expires is not a calendar date, got "2026-02-30"/],
    ['a short account id', entryYaml({ scope: '\n      accounts: ["1234"]' }), 4, /exceptions\.0\.scope\.accounts\.0: expected a 12-digit AWS account id, got "1234"/],
    ['a bad OU id', entryYaml({ scope: '\n      ous: ["Prod"]' }), 4, /exceptions\.0\.scope\.ous\.0: expected an OU id/],
    ['an alias ARN given as a key', entryYaml({ scope: `\n      keys: ["arn:aws:kms:eu-west-1:${ACCOUNT}:alias/legacy"]` }), 4, /exceptions\.0\.scope\.keys\.0: expected a KMS key ARN/],
    ['an alias without alias/', entryYaml({ scope: '\n      aliases: ["legacy-*"]' }), 4, /exceptions\.0\.scope\.aliases\.0: expected an alias pattern/],
    ['tags as a list', entryYaml({ scope: '\n      tags: [owner]' }), 4, /exceptions\.0\.scope\.tags: expected a map of tag key: value/],
    ['an empty account list', entryYaml({ scope: '\n      accounts: []' }), 4, /exceptions\.0\.scope\.accounts: empty list: leave the kind out instead/],
    ['an empty scope', entryYaml({ scope: '{}' }), 3, /exceptions\.0\.scope: empty scope: it would match every key; give at least one of accounts, ous, keys, aliases, tags/],
    ['an id with spaces', entryYaml({ id: '"EX 1"' }), 2, /exceptions\.0\.id: expected an id of letters, digits/],
  ])('refuses %s with file, line and key path', async (_what, entry, line, pattern) => {
    const { path, message } = await loadError('exceptions:\n' + entry);
    expect(message.startsWith(`${path}:${line}: `), message).toBe(true);
    expect(message).toMatch(pattern);
  });

  it('refuses an expiry more than the maximum after created, naming both dates and the maximum', async () => {
    const { path, message } = await loadError('exceptions:\n' + entryYaml({ created: '2026-01-15', expires: '2027-01-16' }));
    expect(message).toBe(`${path}:9: exceptions.0.expires: expires 2027-01-16 is 366 days after created 2026-01-15; the maximum is 365 days (--exception-max-days)`);
  });

  it('accepts exactly the maximum, and honours a configured maximum', async () => {
    const path = await registerFile('exceptions:\n' + entryYaml({ created: '2026-01-15', expires: '2027-01-15' }));
    await expect(loadExceptions(path, { now })).resolves.toBeDefined();
    const { message } = await loadError('exceptions:\n' + entryYaml({ created: '2026-01-15', expires: '2026-04-16' }), 90);
    expect(message).toMatch(/expires 2026-04-16 is 91 days after created 2026-01-15; the maximum is 90 days/);
    await expect(loadExceptions(path, { now, maxDays: 0 })).rejects.toThrow(/^--exception-max-days: expected a positive whole number/);
  });

  it('reads the optional approval date, risk owner and compensating control', async () => {
    const path = await registerFile('exceptions:\n' + entryYaml({ approved: '2026-01-10', riskOwner: 'Head of Payments', compensatingControl: 'Vendor re-wraps data keys every 90 days' }));
    const [entry] = (await loadExceptions(path, { now })).entries;
    expect(entry).toMatchObject({ approved: '2026-01-10', riskOwner: 'Head of Payments', compensatingControl: 'Vendor re-wraps data keys every 90 days' });
    const [plain] = (await loadExceptions(await registerFile('exceptions:\n' + entryYaml()), { now })).entries;
    expect(plain).not.toHaveProperty('approved');
  });

  it('refuses an approval after the entry was created, or so old that it stretches the maximum', async () => {
    const after = await loadError('exceptions:\n' + entryYaml({ created: '2026-01-15', approved: '2026-01-16' }));
    expect(after.message).toBe(`${after.path}:10: exceptions.0.approved: approved 2026-01-16 is after created 2026-01-15; record the entry on or after the day it was approved`);
    const old = await loadError('exceptions:\n' + entryYaml({ approved: '2025-12-01', created: '2026-01-15', expires: '2026-12-31' }));
    expect(old.message).toBe(`${old.path}:9: exceptions.0.expires: expires 2026-12-31 is 395 days after approved 2025-12-01; the maximum is 365 days (--exception-max-days)`);
    expect((await loadError('exceptions:\n' + entryYaml({ approved: '2026-13-01' }))).message).toMatch(/:10: exceptions\.0\.approved: approved is not a calendar date, got "2026-13-01"$/);
    expect((await loadError('exceptions:\n' + entryYaml({ riskOwner: '""' }))).message).toMatch(/:10: exceptions\.0\.riskOwner: expected riskOwner, got an empty value/);
    // The same day is fine: approved and recorded together.
    await expect(loadExceptions(await registerFile('exceptions:\n' + entryYaml({ approved: '2026-01-15' })), { now })).resolves.toBeDefined();
  });

  it('refuses an expiry before creation', async () => {
    const { message } = await loadError('exceptions:\n' + entryYaml({ created: '2026-03-01', expires: '2026-02-28' }));
    expect(message).toMatch(/:9: exceptions\.0\.expires: expires 2026-02-28 is before created 2026-03-01$/);
  });

  it('refuses a created date in the future (it would stretch the maximum)', async () => {
    const { message } = await loadError('exceptions:\n' + entryYaml({ created: '2099-01-01', expires: '2099-12-31' }));
    expect(message).toMatch(/:8: exceptions\.0\.created: created 2099-01-01 is in the future \(today is 2026-06-01 UTC\)/);
  });

  it('refuses duplicate ids, pointing at the second one', async () => {
    const { path, message } = await loadError('exceptions:\n' + entryYaml() + entryYaml());
    expect(message).toBe(`${path}:10: exceptions.1.id: duplicate id "EX-2026-001" (also used by the entry at line 2)`);
  });

  it('refuses malformed YAML, duplicate keys, an empty file and a wrong top level', async () => {
    expect((await loadError('exceptions:\n  - id: [unclosed\n')).message).toMatch(/:3: invalid YAML/);
    expect((await loadError('exceptions:\n' + entryYaml() + '    id: again\n')).message).toMatch(/:10: invalid YAML \(Map keys must be unique/);
    expect((await loadError('')).message).toMatch(/: empty exceptions register/);
    expect((await loadError('- id: EX-1\n')).message).toMatch(/:1: expected a map with an "exceptions:" list$/);
    expect((await loadError('exceptions:\n  id: EX-1\n')).message).toMatch(/:2: exceptions: expected a list of entries$/);
    expect((await loadError('exception: []\n')).message).toMatch(/:1: exception: unknown field \(expected one of: exceptions\)/);
  });

  it('names a missing file', async () => {
    await expect(loadExceptions('/nonexistent/exceptions.yaml', { now })).rejects.toThrow(/^\/nonexistent\/exceptions\.yaml: cannot read exceptions register \(ENOENT\)$/);
  });
});

describe('templates/exceptions/example.yaml', () => {
  it('is a register the loader accepts, with a pinned and a wildcard entry and every optional field', async () => {
    const register = await loadExceptions(join(import.meta.dirname, '..', '..', 'templates', 'exceptions', 'example.yaml'), { now });
    expect(register.entries.map((e) => e.id)).toEqual(['EX-2026-001', 'EX-2026-002']);
    expect(register.entries[0]).toMatchObject({ approved: '2026-01-12', riskOwner: expect.any(String), compensatingControl: expect.any(String) });
    expect(register.entries.map((e) => isWildcardScope(e.scope))).toEqual([false, true]);
  });
});
