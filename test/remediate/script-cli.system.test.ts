/**
 * The generated scripts, run by bash with the AWS CLI against the simulated organization: they
 * fix exactly the planned keys of their account, are safe to run again, refuse the wrong
 * account, and stop at the first error.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runRemediateCommand } from '../../src/cli/remediate.js';
import { generateScenario } from '../../src/sim/index.js';
import type { SimKey, Simulator } from '../../src/sim/types.js';
import { scan, withSim } from '../engine/helpers.js';

const exec = promisify(execFile);
const WRITE_ROLE = 'KmsRotationAuditRemediator';

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script with a clean AWS environment pointed at the simulator. */
async function runScript(sim: Simulator, script: string, args: string[], credentials: { accessKeyId: string; secretAccessKey: string }, extraEnv: Record<string, string> = {}): Promise<ScriptRun> {
  const home = await mkdtemp(join(tmpdir(), 'kra-cli-home-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_RETRY_MODE: 'standard',
    AWS_MAX_ATTEMPTS: '10',
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await exec('bash', [script, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function keysOf(sim: Simulator, accountId: string): SimKey[] {
  return structuredClone(sim.scenario.accounts.find((a) => a.id === accountId)!.keys);
}

describe('remediation scripts with the AWS CLI', () => {
  it('fix the planned keys through an assumed role, are safe to re-run, and refuse the wrong account', async () => {
    const scenario = generateScenario({ seed: 21, accounts: 4, regions: 2, keysPerRegion: 5 });
    for (const account of scenario.accounts) account.roles.push({ name: WRITE_ROLE, allowWrite: true });
    await withSim({ scenario }, async (sim) => {
      const first = await scan(sim);
      const fails = first.keys.filter((k) => k.status === 'FAIL');
      // The member account with the fewest failing keys (at least one) keeps the test short.
      const counts = new Map<string, number>();
      for (const key of fails) counts.set(key.accountId, (counts.get(key.accountId) ?? 0) + 1);
      const [accountId] = [...counts].filter(([a]) => a !== scenario.managementAccountId).sort((a, b) => a[1] - b[1])[0]!;
      const planned = new Set(fails.filter((k) => k.accountId === accountId).map((k) => `${k.region}|${k.keyId}`));

      const out = await mkdtemp(join(tmpdir(), 'kra-plan-'));
      expect(await runRemediateCommand({ from: first.outcome.resultsPath, out, print: () => undefined })).toBe(0);
      const script = join(out, `remediate-${accountId}.sh`);
      const management = sim.credentialsFor(scenario.managementAccountId);
      const roleArgs = ['--role-arn', `arn:aws:iam::${accountId}:role/${WRITE_ROLE}`];

      // Dry run: nothing changes.
      const before = keysOf(sim, accountId);
      const dry = await runScript(sim, script, [...roleArgs, '--dry-run'], management);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout.split('\n').filter((l) => l.startsWith('would enable'))).toHaveLength(planned.size);
      expect(keysOf(sim, accountId)).toEqual(before);

      const applied = await runScript(sim, script, roleArgs, management);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain(`done: ${planned.size} changed, 0 already compliant`);
      for (const key of keysOf(sim, accountId)) {
        const was = before.find((k) => k.keyId === key.keyId && k.region === key.region)!;
        if (planned.has(`${key.region}|${key.keyId}`)) {
          expect(key.rotation.enabled).toBe(true);
          expect(key.rotation.periodDays ?? 365).toBeLessThanOrEqual(365);
        } else {
          expect(key).toEqual(was);
        }
      }

      // Again, as a named profile holding the account's own keys (keys in the environment are ignored):
      // everything is already compliant.
      const home = await mkdtemp(join(tmpdir(), 'kra-cli-profile-'));
      const own = sim.credentialsFor(accountId);
      const profiles = join(home, 'credentials');
      await writeFile(profiles, `[fixer]\naws_access_key_id = ${own.accessKeyId}\naws_secret_access_key = ${own.secretAccessKey}\n` + `[other]\naws_access_key_id = ${management.accessKeyId}\naws_secret_access_key = ${management.secretAccessKey}\n`);
      const again = await runScript(sim, script, ['--profile', 'fixer'], management, { AWS_SHARED_CREDENTIALS_FILE: profiles });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`done: 0 changed, ${planned.size} already compliant`);

      // Credentials of another account: refused before any change.
      const wrong = await runScript(sim, script, ['--profile', 'other'], own, { AWS_SHARED_CREDENTIALS_FILE: profiles });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`these credentials belong to account ${scenario.managementAccountId}; this plan is for account ${accountId}`);

      // Usage errors.
      const usage = await runScript(sim, script, [], management);
      expect(usage.code).toBe(64);
      expect(usage.stderr).toContain('give --profile NAME or --role-arn ARN');
    });
  });

  it('stops at the first error', async () => {
    const scenario = generateScenario({ seed: 22, accounts: 4, regions: 2, keysPerRegion: 6 });
    for (const account of scenario.accounts) account.roles.push({ name: WRITE_ROLE, allowWrite: true });
    await withSim({ scenario }, async (sim) => {
      const first = await scan(sim);
      const fails = first.keys.filter((k) => k.status === 'FAIL' && k.accountId !== scenario.managementAccountId);
      const accountId = fails[0]!.accountId;
      const mine = fails.filter((k) => k.accountId === accountId);
      expect(mine.length).toBeGreaterThan(1);
      const out = await mkdtemp(join(tmpdir(), 'kra-plan-'));
      await runRemediateCommand({ from: first.outcome.resultsPath, out, print: () => undefined });
      // The script handles keys in report order (region, key id): deny the first one.
      sim.setFaults([{ kind: 'access-denied', operations: ['kms:EnableKeyRotation'], keyIds: [mine[0]!.keyId] }]);
      const before = keysOf(sim, accountId);
      const run = await runScript(sim, join(out, `remediate-${accountId}.sh`), ['--role-arn', `arn:aws:iam::${accountId}:role/${WRITE_ROLE}`], sim.credentialsFor(scenario.managementAccountId));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/AccessDenied/);
      expect(keysOf(sim, accountId)).toEqual(before);
    });
  });
});
