/** The generated remediation script passes shellcheck (a system tool: `npm run test:system`). */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import { runRemediateCommand } from '../../src/cli/remediate.js';
import { makeHeader, makeKey, writeRun } from '../helpers/results.js';

const run = promisify(execFile);
const A = '111122223333';
const uuid = (n: number): string => `${String(n).padStart(8, '0')}-1111-4222-8333-444455556666`;

describe('remediation script (shellcheck)', () => {
  it('passes shellcheck --severity=style, with hostile account names and aliases', async () => {
    const keys = [
      makeKey({ keyId: uuid(1), status: 'FAIL', rotationEnabled: false, rotationPeriodDays: null, reason: 'Automatic rotation is disabled.', aliases: ['alias/payments', 'alias/evil$(reboot)'], accountName: 'Payments\nrm -rf /' }),
      makeKey({ keyId: uuid(2), status: 'FAIL', rotationEnabled: true, rotationPeriodDays: 730, reason: 'period 730 > 365', region: 'us-east-1', keyArn: `arn:aws:kms:us-east-1:${A}:key/${uuid(2)}` }),
    ];
    const dir = await mkdtemp(join(tmpdir(), 'kra-remediate-'));
    const base = makeHeader();
    const from = await writeRun(join(dir, 'run'), keys, { parameters: { ...base.parameters, roleName: 'KmsRotationAuditReader', maxRotationDays: 365 } });
    const out = await mkdtemp(join(tmpdir(), 'kra-remediate-out-'));
    await runRemediateCommand({ from, out, print: () => undefined });
    await run('shellcheck', ['--severity=style', join(out, `remediate-${A}.sh`)]);
  });
});
