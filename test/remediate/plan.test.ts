import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runRemediateCommand } from '../../src/cli/remediate.js';
import { openResults } from '../../src/io/results-document.js';
import type { KeyResult } from '../../src/core/results.js';
import { PLAN_COLUMNS } from '../../src/remediate/files.js';
import { buildPlan, planItemFor, type PlanItem } from '../../src/remediate/plan.js';
import { remediationCommand } from '../../src/rules/kms-002/remediation.js';
import { makeHeader, makeKey, writeRun } from '../helpers/results.js';

const run = promisify(execFile);
const A = '111122223333';
const B = '444455556666';
const uuid = (n: number): string => `${String(n).padStart(8, '0')}-1111-4222-8333-444455556666`;

function fail(n: number, over: Partial<KeyResult> = {}): KeyResult {
  return makeKey({ keyId: uuid(n), status: 'FAIL', rotationEnabled: false, rotationPeriodDays: null, reason: 'Automatic rotation is disabled.', ...over });
}

async function results(keys: KeyResult[], maxRotationDays = 365, header: Parameters<typeof writeRun>[2] = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kra-remediate-'));
  const base = makeHeader();
  return writeRun(join(dir, 'run'), keys, { ...header, parameters: { ...base.parameters, roleName: 'KmsRotationAuditReader', maxRotationDays, ...header.parameters } });
}

async function plan(keys: KeyResult[], maxRotationDays = 365) {
  const path = await results(keys, maxRotationDays);
  return buildPlan(path, await openResults(path));
}

const pick = (item: PlanItem) => [item.keyId, item.currentRotationEnabled, item.currentPeriodDays, item.targetPeriodDays, item.periodArg];

describe('buildPlan', () => {
  const mixed = [
    fail(1),
    fail(2, { rotationEnabled: true, rotationPeriodDays: 730, reason: 'period 730 > 365' }),
    fail(3, { accountId: B, keyArn: `arn:aws:kms:eu-west-1:${B}:key/${uuid(3)}` }),
    makeKey({ keyId: uuid(4), status: 'EXCEPTION', rotationEnabled: false, exceptionId: 'EX-1' }),
    makeKey({ keyId: uuid(5), status: 'PASS' }),
    makeKey({ keyId: uuid(6), status: 'NOT_APPLICABLE', keySpec: 'RSA_2048', rotationEnabled: null }),
    makeKey({ keyId: uuid(7), status: 'ERROR', rotationEnabled: null, error: { code: 'AccessDeniedException', message: 'x', operation: 'kms:GetKeyRotationStatus' } }),
    makeKey({ keyId: uuid(8), status: 'NOT_APPLICABLE', multiRegionType: 'REPLICA', rotationEnabled: false }),
  ];

  it('plans FAIL keys only; exceptions, PASS, N/A and ERROR keys are never touched', async () => {
    const p = await plan(mixed);
    expect(p.items.map(pick)).toEqual([
      [uuid(1), false, null, 365, null],
      [uuid(2), true, 730, 365, 365],
      [uuid(3), false, null, 365, null],
    ]);
    expect(p.exceptionsLeftAlone).toBe(1);
    expect(p).toMatchObject({ maxRotationDays: 365, partition: 'aws', homeRegion: 'us-east-1', readRoleName: 'KmsRotationAuditReader' });
  });

  it('passes the policy maximum when it is below AWS\'s 365-day default', async () => {
    const p = await plan([fail(1), fail(2, { rotationEnabled: true, rotationPeriodDays: 365 })], 180);
    expect(p.items.map(pick)).toEqual([
      [uuid(1), false, null, 180, 180],
      [uuid(2), true, 365, 180, 180],
    ]);
  });

  it('names the period for a disabled key that reports a longer one', async () => {
    const p = await plan([fail(1, { rotationPeriodDays: 1000 })], 400);
    expect(p.items.map(pick)).toEqual([[uuid(1), false, 1000, 400, 400]]);
  });

  it('skips a FAIL whose record already shows a compliant rotation, saying why', async () => {
    const p = await plan([fail(1, { rotationEnabled: true, rotationPeriodDays: 200 })]);
    expect(p.items).toEqual([]);
    expect(p.skipped).toEqual([{ keyArn: `arn:aws:kms:eu-west-1:${A}:key/${uuid(1)}`, why: "recorded as rotating every 200 days, within the policy's 365: nothing to change" }]);
  });

  it('plans only the accounts asked for', async () => {
    const path = await results(mixed);
    const p = await buildPlan(path, await openResults(path), { accounts: [B] });
    expect(p.items.map((i) => i.accountId)).toEqual([B]);
    expect(p.failKeysOutsideAccounts).toBe(2);
  });

  it.each<[string, Partial<KeyResult>, RegExp]>([
    ['a replica', { multiRegionType: 'REPLICA', primaryKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/mrk-1' }, /marked FAIL but it is a multi-Region replica \(rotation is set on its primary arn:aws:kms:us-east-1:111122223333:key\/mrk-1\)/],
    ['an AWS managed key', { keyManager: 'AWS' }, /marked FAIL but its key manager is AWS/],
    ['an asymmetric key', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, /marked FAIL but it is RSA_2048\/SIGN_VERIFY/],
    ['imported key material', { origin: 'EXTERNAL' }, /marked FAIL but its key material origin is EXTERNAL/],
    ['a custom key store key', { customKeyStoreId: 'cks-1' }, /marked FAIL but it is in custom key store cks-1/],
    ['a shell injection in the region', { region: 'eu-west-1;reboot', keyArn: `arn:aws:kms:eu-west-1;reboot:${A}:key/${uuid(1)}` }, /region: expected an AWS region name such as eu-west-1, got "eu-west-1;reboot"/],
    ['a key id that is not AWS\'s', { keyId: '$(reboot)', keyArn: `arn:aws:kms:eu-west-1:${A}:key/$(reboot)` }, /key id "\$\(reboot\)" is not valid/],
    ['an ARN that does not match the key', { keyArn: `arn:aws:kms:eu-west-1:${B}:key/${uuid(1)}` }, /the ARN does not match its account, region and key id/],
    ['a period AWS would refuse', { rotationEnabled: true, rotationPeriodDays: 5000 }, /rotationPeriodDays 5000 is not a rotation period AWS accepts/],
  ])('refuses a FAIL that is %s (the results document is untrusted)', async (_what, over, pattern) => {
    const error = await plan([fail(1, over)]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('UsageError');
    expect((error as Error).message).toMatch(pattern);
  });

  it('refuses a policy maximum AWS would not accept', async () => {
    await expect(plan([fail(1)], 30)).rejects.toThrow(/parameters\.maxRotationDays 30 is not a rotation period AWS accepts/);
  });
});

describe('the plan and the findings agree (both from src/rules/kms-002/)', () => {
  it('plans the command findings.csv shows, for every recorded rotation and policy', () => {
    for (const max of [90, 180, 365, 400, 2560]) {
      for (const rotationEnabled of [true, false, null]) {
        for (const rotationPeriodDays of [null, 90, 365, 730, 2560]) {
          const key = fail(1, { rotationEnabled, rotationPeriodDays });
          const item = planItemFor(key, { maxRotationDays: max, partition: 'aws', source: 'results.json' });
          const shown = remediationCommand(key, max);
          if ('why' in item) expect(rotationEnabled === true && (rotationPeriodDays ?? 365) <= max).toBe(true);
          else expect(`aws kms enable-key-rotation --region ${item.region} --key-id ${item.keyId}${item.periodArg === null ? '' : ` --rotation-period-in-days ${item.periodArg}`}`).toBe(shown);
        }
      }
    }
  });
});

describe('remediate (dry run)', () => {
  const keys = [
    fail(1, { aliases: ['alias/payments', 'alias/evil$(reboot)'], accountName: 'Payments\nrm -rf /' }),
    fail(2, { rotationEnabled: true, rotationPeriodDays: 730, region: 'us-east-1', keyArn: `arn:aws:kms:us-east-1:${A}:key/${uuid(2)}` }),
    fail(3, { accountId: B, keyArn: `arn:aws:kms:eu-west-1:${B}:key/${uuid(3)}`, aliases: ['=cmd|calc'] }),
    makeKey({ keyId: uuid(4), status: 'EXCEPTION', exceptionId: 'EX-1' }),
  ];

  it('writes one script per account and the plan CSV next to results.json, and prints what would change', async () => {
    const from = await results(keys);
    const lines: string[] = [];
    const code = await runRemediateCommand({ from, print: (l) => lines.push(l), now: () => new Date('2026-11-28T10:00:00Z') });
    expect(code).toBe(0);
    const dir = join(from, '..', 'remediation');
    expect((await readdir(dir)).sort()).toEqual([`remediate-${A}.sh`, `remediate-${B}.sh`, 'remediation-plan.csv']);
    expect((await stat(join(dir, `remediate-${A}.sh`))).mode & 0o777).toBe(0o755);
    expect(lines.join('\n')).toContain('3 keys to change in 2 accounts; 1 approved exception left alone.');
    expect(lines).toContain(`  ${A} us-east-1 ${uuid(2)}: rotation every 730 days -> enable, every 365 days`);
    expect(lines.at(-1)).toMatch(/^Dry run: nothing was changed/);

    const csv = parse(await readFile(join(dir, 'remediation-plan.csv'), 'utf8'), { bom: true }) as string[][];
    expect(csv[0]).toEqual([...PLAN_COLUMNS]);
    expect(csv.slice(1)).toEqual([
      [A, 'eu-west-1', uuid(1), `arn:aws:kms:eu-west-1:${A}:key/${uuid(1)}`, 'alias/payments; alias/evil$(reboot)', 'false', '', '365', `aws kms enable-key-rotation --region eu-west-1 --key-id ${uuid(1)}`],
      [A, 'us-east-1', uuid(2), `arn:aws:kms:us-east-1:${A}:key/${uuid(2)}`, '', 'true', '730', '365', `aws kms enable-key-rotation --region us-east-1 --key-id ${uuid(2)} --rotation-period-in-days 365`],
      [B, 'eu-west-1', uuid(3), `arn:aws:kms:eu-west-1:${B}:key/${uuid(3)}`, "'=cmd|calc", 'false', '', '365', `aws kms enable-key-rotation --region eu-west-1 --key-id ${uuid(3)}`],
    ]);
  });

  it('writes scripts that pass bash -n (shellcheck: plan.system.test.ts), quote every value and leave untrusted text out', async () => {
    const from = await results(keys);
    const out = await mkdtemp(join(tmpdir(), 'kra-remediate-out-'));
    await runRemediateCommand({ from, out, print: () => undefined });
    const path = join(out, `remediate-${A}.sh`);
    const script = await readFile(path, 'utf8');
    await run('bash', ['-n', path]);
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(script).toContain('\nset -euo pipefail\n');
    expect(script).toContain(`\nenable_rotation 'eu-west-1' '${uuid(1)}'\n`);
    expect(script).toContain(`\nenable_rotation 'us-east-1' '${uuid(2)}' '365'\n`);
    expect(script).toContain('# alias/payments: rotation disabled -> every 365 days');
    expect(script).not.toContain('reboot');
    // The account name's newline cannot end the comment line.
    expect(script).toContain(`account ${A} (Payments?rm -rf /)`);
    expect(script.split('\n').filter((l) => l.includes('rm -rf')).every((l) => l.startsWith('#'))).toBe(true);
  });

  it('refuses --apply without --yes off a terminal, and a write role that is the read role, before writing anything', async () => {
    const from = await results(keys);
    const out = await mkdtemp(join(tmpdir(), 'kra-remediate-out-'));
    await expect(runRemediateCommand({ from, out, apply: true, interactive: false, print: () => undefined })).rejects.toThrow(/^--apply changes KMS keys: confirm with --yes/);
    await expect(runRemediateCommand({ from, out, apply: true, yes: true, writeRoleName: 'KmsRotationAuditReader', print: () => undefined })).rejects.toThrow(
      /^--write-role-name: arn:aws:iam::111122223333:role\/KmsRotationAuditReader is the read role the scan used/,
    );
    await expect(runRemediateCommand({ from, out, apply: true, yes: true, writeRoleArnTemplate: 'arn:${partition}:iam::${accountId}:role/x/KmsRotationAuditReader', print: () => undefined })).rejects.toThrow(/is the read role the scan used/);
    await expect(runRemediateCommand({ from, out, apply: true, yes: true, writeRoleArnTemplate: 'arn:${partition}:iam::123:role/${role}', print: () => undefined })).rejects.toThrow(/^--write-role-arn-template: unknown placeholder/);
    expect(await readdir(out)).toEqual([]);
  });

  it('stops at the confirmation when the answer is not yes', async () => {
    const from = await results(keys);
    const questions: string[] = [];
    const lines: string[] = [];
    const code = await runRemediateCommand({ from, apply: true, interactive: true, confirm: async (q) => (questions.push(q), false), print: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(questions).toEqual(['Enable rotation on 3 keys in 2 accounts through arn:aws:iam::<account>:role/KmsRotationAuditRemediator? Type "yes" to go on: ']);
    expect(lines.at(-1)).toBe('Cancelled: nothing was changed.');
  });

  it('refuses bad flags with one line naming the flag', async () => {
    const from = await results(keys);
    await expect(runRemediateCommand({ from, accounts: ['123'] })).rejects.toThrow(/^--accounts: 0: expected a 12-digit AWS account id, got "123"$/);
    await expect(runRemediateCommand({ from, concurrency: 0 })).rejects.toThrow(/^--concurrency: /);
    await expect(runRemediateCommand({ from, writeRoleName: 'bad name' })).rejects.toThrow(/^--write-role-name: expected an IAM role name/);
    await expect(runRemediateCommand({ from: '/nonexistent/results.json' })).rejects.toThrow(/^\/nonexistent\/results\.json: cannot read results document/);
  });
});
