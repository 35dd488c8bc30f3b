import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '../../src/config/load.js';
import { configJsonSchema, envName } from '../../src/config/schema.js';

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kra-config-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

describe('configuration', () => {
  it('has the documented defaults', async () => {
    const config = await loadConfig({ flags: {}, env: {}, configFile: null });
    expect(config).toMatchObject({
      roleName: 'KmsRotationAuditReader', roleArnTemplate: null, externalId: null, sessionDuration: 3600, accounts: null,
      excludeAccounts: [], organizations: true, regions: 'all', maxRotationDays: 365, evaluateDisabled: false,
      failOn: 'fail', frameworks: null, reportsRoot: 'reports',
    });
  });

  it('takes flags over environment over file over defaults', async () => {
    const path = await file('roleName: FromFile\nmaxRotationDays: 400\nconcurrency: 10\nregions: [eu-west-1]\n');
    const env = { [envName('maxRotationDays')]: '500', [envName('concurrency')]: '20' };
    const config = await loadConfig({ flags: { concurrency: '30' }, env, configFile: path });
    expect(config.roleName).toBe('FromFile');
    expect(config.maxRotationDays).toBe(500);
    expect(config.concurrency).toBe(30);
    expect(config.regions).toEqual(['eu-west-1']);
  });

  it('finds the file through KMS_ROTATION_AUDIT_CONFIG', async () => {
    const path = await file('evaluateDisabled: true\n');
    const config = await loadConfig({ flags: {}, env: { KMS_ROTATION_AUDIT_CONFIG: path }, configFile: null });
    expect(config.evaluateDisabled).toBe(true);
  });

  it('parses lists and "all" from flags', async () => {
    const config = await loadConfig({ flags: { accounts: '111122223333, 222233334444', regions: 'all' }, env: {}, configFile: null });
    expect(config.accounts).toEqual(['111122223333', '222233334444']);
    expect(config.regions).toBe('all');
  });

  it.each([
    [{ maxRotationDays: 'abc' }, /^--max-rotation-days: .*"abc"/],
    [{ maxRotationDays: '30' }, /^--max-rotation-days: .*>=90/],
    [{ accounts: '1234' }, /^--accounts: 0: expected a 12-digit AWS account id/],
    [{ failOn: 'sometimes' }, /^--fail-on: /],
    [{ regions: 'eu-west-1,mars' }, /^--regions: 1: expected an AWS region name/],
    [{ organizations: false }, /--no-organizations needs --accounts/],
    [{ roleArnTemplate: 'arn:${partition}:iam::${account}:role/X' }, /unknown placeholder \$\{account\}/],
  ])('rejects bad flag %j with a one-line message', async (flags, pattern) => {
    const error = await loadConfig({ flags, env: {}, configFile: null }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('UsageError');
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the environment variable, not the value, when a secret is bad', async () => {
    const error = (await loadConfig({ flags: {}, env: { [envName('externalId')]: 'x' }, configFile: null }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^KMS_ROTATION_AUDIT_EXTERNAL_ID: /);
    expect(error.message).not.toContain('"x"');
  });

  it('rejects an unknown key in the file with file, line and key', async () => {
    const path = await file('roleName: R\n\nmaxRotationDay: 400\n');
    await expect(loadConfig({ flags: {}, env: {}, configFile: path })).rejects.toThrow(new RegExp(`^${path}:3: unknown key "maxRotationDay"`));
  });

  it('rejects a wrong type in the file with its line and key path', async () => {
    const path = await file('roleName: R\naccounts:\n  - "111122223333"\n  - 12\n');
    await expect(loadConfig({ flags: {}, env: {}, configFile: path })).rejects.toThrow(new RegExp(`^${path}:4: accounts\\.1: `));
  });

  it('rejects invalid YAML and a missing file', async () => {
    const path = await file('roleName: [unclosed\n');
    await expect(loadConfig({ flags: {}, env: {}, configFile: path })).rejects.toThrow(/invalid YAML/);
    await expect(loadConfig({ flags: {}, env: {}, configFile: '/nonexistent/x.yaml' })).rejects.toThrow(/^\/nonexistent\/x.yaml: cannot read config file \(ENOENT\)/);
  });

  it('redacts secrets for --print-config', async () => {
    const config = await loadConfig({ flags: { externalId: 'topsecret-123' }, env: {}, configFile: null });
    expect(JSON.stringify(redactConfig(config))).not.toContain('topsecret');
  });

  it('generates a JSON Schema that refuses unknown keys', () => {
    const schema = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, { description?: string }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.maxRotationDays?.description).toMatch(/rotation period/);
  });
});
