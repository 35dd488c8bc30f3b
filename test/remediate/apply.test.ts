/**
 * --apply against the simulated organization, with real SDK clients: the plan turns every FAIL
 * into PASS on a re-scan and touches nothing else; a write role without permission on some keys
 * leaves those errors in the audit log and a non-zero exit.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRemediateCommand, type RemediateCommandOptions } from '../../src/cli/remediate.js';
import { applyExceptions } from '../../src/exceptions/match.js';
import type { ExceptionRegister } from '../../src/exceptions/types.js';
import type { AuditRecord } from '../../src/remediate/audit-log.js';
import { openResults, writeResultsDocument } from '../../src/io/results-document.js';
import type { KeyResult } from '../../src/core/results.js';
import { generateScenario } from '../../src/sim/index.js';
import type { SimKey, SimScenario, Simulator } from '../../src/sim/types.js';
import { scan, withSim } from '../engine/helpers.js';

const WRITE_ROLE = 'KmsRotationAuditRemediator';

/** A generated organization whose accounts also have the write role (except those listed). */
function organization(seed: number, withoutWriteRole: number[] = []): SimScenario {
  const scenario = generateScenario({ seed, accounts: 6, regions: 2, keysPerRegion: 8 });
  scenario.accounts.forEach((account, index) => {
    if (!withoutWriteRole.includes(index)) account.roles.push({ name: WRITE_ROLE, allowWrite: true });
  });
  return scenario;
}

const id = (k: { accountId: string; region: string; keyId: string }): string => `${k.accountId}|${k.region}|${k.keyId}`;

function simKeys(sim: Simulator): Map<string, SimKey> {
  return new Map(sim.scenario.accounts.flatMap((account) => account.keys.map((key) => [id({ accountId: account.id, region: key.region, keyId: key.keyId }), structuredClone(key)] as const)));
}

async function remediate(sim: Simulator, from: string, over: Partial<RemediateCommandOptions> = {}): Promise<{ code: number; lines: string[]; audit: AuditRecord[] }> {
  const lines: string[] = [];
  const code = await runRemediateCommand({ from, apply: true, yes: true, endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, print: (l) => lines.push(l), ...over });
  const text = await readFile(join(from, '..', 'remediation', 'remediation-audit.jsonl'), 'utf8').catch(() => '');
  return { code, lines, audit: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) };
}

const failing = (keys: KeyResult[]): KeyResult[] => keys.filter((k) => k.status === 'FAIL');

describe('remediate --apply against the simulator', () => {
  it.each([365, 180])('turns every FAIL into PASS on a re-scan and touches nothing else (policy %i days)', async (maxRotationDays) => {
    await withSim({ scenario: organization(11) }, async (sim) => {
      const first = await scan(sim, { maxRotationDays });
      const fails = failing(first.keys);
      expect(fails.length).toBeGreaterThan(3);
      const before = simKeys(sim);
      sim.resetStats();

      const { code, audit, lines } = await remediate(sim, first.outcome.resultsPath);
      expect(code, lines.join('\n')).toBe(0);

      // Exactly one EnableKeyRotation per FAIL key, nothing else written.
      expect(sim.stats().calls['kms:EnableKeyRotation']).toBe(fails.length);
      expect(sim.stats().calls['kms:DisableKeyRotation'] ?? 0).toBe(0);
      const planned = new Set(fails.map(id));
      for (const [keyRef, after] of simKeys(sim)) {
        if (planned.has(keyRef)) {
          expect(after.rotation.enabled, keyRef).toBe(true);
          expect(after.rotation.periodDays ?? 365, keyRef).toBeLessThanOrEqual(maxRotationDays);
        } else {
          expect(after, keyRef).toEqual(before.get(keyRef));
        }
      }

      // The audit log: one line per key, who did it (the write role's session), before and after.
      expect(audit.map(id).sort()).toEqual([...planned].sort());
      for (const record of audit) {
        expect(record).toMatchObject({ outcome: 'enabled', error: null, action: 'kms:EnableKeyRotation', scanId: first.outcome.header.scanId });
        expect(record.who).toMatch(new RegExp(`^arn:aws:sts::${record.accountId}:assumed-role/${WRITE_ROLE}/`));
        expect(record.roleArn).toBe(`arn:aws:iam::${record.accountId}:role/${WRITE_ROLE}`);
        expect(record.before!.enabled === false || (record.before!.periodDays ?? 365) > maxRotationDays).toBe(true);
        expect(record.after!.enabled).toBe(true);
        expect(Number.isNaN(Date.parse(record.at))).toBe(false);
      }
      if (maxRotationDays < 365) expect(audit.every((r) => r.requestedPeriodDays === maxRotationDays && r.after!.periodDays === maxRotationDays)).toBe(true);

      const rescan = await scan(sim, { maxRotationDays });
      const statusBefore = new Map(first.keys.map((k) => [id(k), k.status]));
      expect(rescan.keys.map(id)).toEqual(first.keys.map(id));
      for (const key of rescan.keys) {
        expect(key.status, `${id(key)}: ${key.reason}`).toBe(planned.has(id(key)) ? 'PASS' : statusBefore.get(id(key)));
      }
    });
  });

  it('never touches keys under an approved exception', async () => {
    await withSim({ scenario: organization(15) }, async (sim) => {
      const first = await scan(sim);
      const fails = failing(first.keys);
      const excepted = fails.find((k) => fails.filter((f) => f.accountId === k.accountId).length >= 2)!.accountId;
      const register: ExceptionRegister = {
        source: 'exceptions.yaml',
        maxDays: 365,
        entries: [{ id: 'EX-1', scope: { accounts: [excepted] }, reason: 'vendor', approver: 'jane', ticket: 'SEC-1', created: '2026-01-01', expires: '2026-12-31', line: 2 }],
      };
      const reader = await openResults(first.outcome.resultsPath);
      const judged = first.keys.map((key) => applyExceptions(key, register, new Date('2026-06-01T00:00:00Z')));
      expect(judged.filter((k) => k.status === 'EXCEPTION').length).toBeGreaterThanOrEqual(2);
      await writeResultsDocument(first.outcome.resultsPath, reader.header, judged);
      const before = simKeys(sim);

      const { code, audit, lines } = await remediate(sim, first.outcome.resultsPath);
      expect(code).toBe(0);
      expect(lines.join('\n')).toContain(`${judged.filter((k) => k.status === 'EXCEPTION').length} approved exceptions left alone`);
      expect(audit.some((r) => r.accountId === excepted)).toBe(false);
      for (const key of judged.filter((k) => k.status === 'EXCEPTION')) expect(simKeys(sim).get(id(key))).toEqual(before.get(id(key)));
      expect(audit).toHaveLength(fails.length - judged.filter((k) => k.status === 'EXCEPTION').length);
    });
  });

  it('is safe to run again: compliant keys are skipped and logged as such', async () => {
    await withSim({ scenario: organization(12) }, async (sim) => {
      const first = await scan(sim);
      const fails = failing(first.keys).length;
      expect((await remediate(sim, first.outcome.resultsPath)).code).toBe(0);
      const between = simKeys(sim);
      sim.resetStats();
      const again = await remediate(sim, first.outcome.resultsPath);
      expect(again.code).toBe(0);
      expect(sim.stats().calls['kms:EnableKeyRotation'] ?? 0).toBe(0);
      expect(simKeys(sim)).toEqual(between);
      const second = again.audit.slice(fails);
      expect(second).toHaveLength(fails);
      expect(second.every((r) => r.outcome === 'already-compliant')).toBe(true);
      expect(new Set(again.audit.map((r) => r.runId)).size).toBe(2);
      expect(again.lines.at(-1)).toMatch(new RegExp(`^Applied: 0 enabled, ${fails} already compliant, 0 failed\\.`));
    });
  });

  it('records keys the write role may not change, changes the others, and exits non-zero', async () => {
    await withSim({ scenario: organization(13) }, async (sim) => {
      const first = await scan(sim);
      const fails = failing(first.keys);
      const denied = [fails[0]!, fails[fails.length - 1]!];
      sim.setFaults([{ kind: 'access-denied', operations: ['kms:EnableKeyRotation'], keyIds: denied.map((k) => k.keyId) }]);
      const before = simKeys(sim);

      const { code, audit, lines } = await remediate(sim, first.outcome.resultsPath);
      expect(code).toBe(1);
      expect(lines.at(-2)).toBe(`Applied: ${fails.length - 2} enabled, 0 already compliant, 2 failed. Audit log: ${join(first.outDir, 'remediation', 'remediation-audit.jsonl')}`);
      const failed = audit.filter((r) => r.outcome === 'failed');
      expect(failed.map(id).sort()).toEqual(denied.map(id).sort());
      for (const record of failed) {
        expect(record.error).toMatchObject({ code: 'AccessDeniedException', operation: 'kms:EnableKeyRotation' });
        expect(record.before).not.toBeNull();
        expect(record.after).toBeNull();
        expect(simKeys(sim).get(id(record))).toEqual(before.get(id(record)));
      }
      expect(audit.filter((r) => r.outcome === 'enabled')).toHaveLength(fails.length - 2);
    });
  });

  it('records every key of an account where the write role cannot be assumed, and goes on with the others', async () => {
    // Account 0 is the management account, scanned with the base credentials; it has no write role here.
    await withSim({ scenario: organization(14, [0]) }, async (sim) => {
      const first = await scan(sim);
      const fails = failing(first.keys);
      const management = sim.scenario.managementAccountId;
      const inManagement = fails.filter((k) => k.accountId === management);
      expect(inManagement.length).toBeGreaterThan(0);

      const { code, audit } = await remediate(sim, first.outcome.resultsPath);
      expect(code).toBe(1);
      const failed = audit.filter((r) => r.outcome === 'failed');
      expect(failed.map(id).sort()).toEqual(inManagement.map(id).sort());
      for (const record of failed) {
        expect(record).toMatchObject({ who: null, before: null, after: null });
        expect(record.error).toMatchObject({ code: 'AccessDenied', operation: 'sts:AssumeRole' });
      }
      expect(audit.filter((r) => r.outcome === 'enabled')).toHaveLength(fails.length - inManagement.length);
    });
  });

  it('a write session already expired on arrival, at concurrency 1: every key recorded as failed within the attempt budget', async () => {
    // Issue 13 point 2: this run never answered (the SDK's credential ask waited for an AssumeRole
    // inside the only in-flight slot). The simulator's clock is moved two hours back after the
    // scan, so every write session answers an Expiration already past on this machine's clock.
    let skewMs = 0;
    await withSim({ scenario: organization(16), now: () => Date.now() - skewMs }, async (sim) => {
      const first = await scan(sim);
      const fails = failing(first.keys);
      expect(fails.length).toBeGreaterThan(0);
      skewMs = 2 * 3600_000;
      sim.resetStats();
      const { code, audit } = await remediate(sim, first.outcome.resultsPath, { concurrency: 1 });
      expect(code).toBe(1);
      expect(audit.map(id).sort()).toEqual(fails.map(id).sort());
      for (const record of audit) {
        expect(record.outcome).toBe('failed');
        expect(record.error).toMatchObject({ code: 'CredentialsExpiredOnArrival', operation: 'sts:AssumeRole' });
      }
      expect(sim.stats().calls['kms:EnableKeyRotation'] ?? 0).toBe(0);
      const accounts = new Set(fails.map((k) => k.accountId)).size;
      expect(sim.stats().calls['sts:AssumeRole']).toBeLessThanOrEqual(accounts * 6);
    });
  }, 30_000);
});
