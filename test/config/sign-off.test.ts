import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseSignOffText, signOffOf } from '../../src/config/sign-off.js';
import { UsageError } from '../../src/core/errors.js';
import { tempDir } from '../report/helpers.js';

describe('sign-off options (preparedBy, reviewedBy, approvedBy)', () => {
  it('reads "Name, Role, YYYY-MM-DD" with the date optional; a role may hold commas', () => {
    expect(parseSignOffText('Jane Doe, Head of Internal Audit, 2026-12-08')).toEqual({ name: 'Jane Doe', role: 'Head of Internal Audit', date: '2026-12-08' });
    expect(parseSignOffText('Jane Doe, CISO')).toEqual({ name: 'Jane Doe', role: 'CISO', date: null });
    expect(parseSignOffText('Jane Doe, Risk, Compliance and Audit, 2026-12-08')).toEqual({ name: 'Jane Doe', role: 'Risk, Compliance and Audit', date: '2026-12-08' });
    for (const bad of ['Jane Doe', 'Jane Doe,', ', CISO', 'Jane Doe, CISO, 2026-02-30']) expect(parseSignOffText(bad), bad).toBeNull();
  });

  it('comes from flags, or a config file as a mapping or the one-line form', async () => {
    const dir = await tempDir('kra-signoff-');
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'preparedBy: { name: Jane Doe, role: Cloud Security Engineer, date: 2026-12-08 }\napprovedBy: "Ann Smith, CISO"\n');
    const config = await loadConfig({ flags: { reviewedBy: 'John Roe, Internal Audit, 2026-12-09' }, env: {}, configFile: file });
    expect(signOffOf(config)).toEqual({
      preparedBy: { name: 'Jane Doe', role: 'Cloud Security Engineer', date: '2026-12-08' },
      reviewedBy: { name: 'John Roe', role: 'Internal Audit', date: '2026-12-09' },
      approvedBy: { name: 'Ann Smith', role: 'CISO', date: null },
    });
    expect(signOffOf(await loadConfig({ flags: {}, env: {}, configFile: null }))).toEqual({ preparedBy: null, reviewedBy: null, approvedBy: null });
  });

  it('refuses a malformed value, naming the flag or the file and line', async () => {
    await expect(loadConfig({ flags: { reviewedBy: 'John Roe' }, env: {}, configFile: null })).rejects.toThrow(/--reviewed-by: expected "Name, Role" or "Name, Role, YYYY-MM-DD"/);
    const dir = await tempDir('kra-signoff-');
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'roleName: R\npreparedBy: { name: Jane, date: 2026-12-08 }\n');
    const error = await loadConfig({ flags: {}, env: {}, configFile: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/config\.yaml:2: preparedBy: expected "Name, Role"/);
  });
});
