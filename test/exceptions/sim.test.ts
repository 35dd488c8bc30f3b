/**
 * The register applied to a real scan of the simulated organization: each scope kind matches
 * exactly the FAIL keys the simulator's own data says it should (accounts, OUs anywhere above the
 * account, key ARNs, alias patterns, tags collected for failing keys), and nothing else changes.
 */
import { describe, expect, it } from 'vitest';
import { applyExceptions } from '../../src/exceptions/match.js';
import { exceptionsSummary } from '../../src/exceptions/report.js';
import type { ExceptionEntry, ExceptionScope } from '../../src/exceptions/types.js';
import { createExceptionUsage } from '../../src/exceptions/usage.js';
import type { KeyResult } from '../../src/core/results.js';
import { generateScenario } from '../../src/sim/index.js';
import type { SimKey, SimScenario } from '../../src/sim/types.js';
import { scan, withSim } from '../engine/helpers.js';

const now = new Date('2026-11-15T00:00:00Z');
const ref = (k: { accountId: string; region: string; keyId: string }): string => `${k.accountId}|${k.region}|${k.keyId}`;

function entry(id: string, scope: ExceptionScope, expires = '2026-12-31'): ExceptionEntry {
  return { id, scope, reason: 'test', approver: 'jane', ticket: 'SEC-1', created: '2026-01-15', expires, line: null };
}

/** OU ids above an account, from the scenario (independent of the engine's ouIds). */
function ancestors(scenario: SimScenario, parentId: string): string[] {
  const out: string[] = [];
  for (let id: string | undefined = parentId; id; id = scenario.ous.find((o) => o.id === id)?.parentId) out.push(id);
  return out;
}

describe('exceptions on a scan of the simulator', () => {
  it('matches by each scope kind exactly the failing keys the scenario says', async () => {
    const scenario = generateScenario({ seed: 31, accounts: 8, regions: 2, keysPerRegion: 8 });
    await withSim({ scenario }, async (sim) => {
      const { keys } = await scan(sim, { collectTags: 'failing' });
      const fails = keys.filter((k) => k.status === 'FAIL');
      expect(fails.length).toBeGreaterThan(10);
      const simKey = new Map<string, { key: SimKey; parentId: string }>();
      for (const account of scenario.accounts) for (const key of account.keys) simKey.set(ref({ accountId: account.id, region: key.region, keyId: key.keyId }), { key, parentId: account.parentId });
      const failRefs = (pick: (k: KeyResult, s: { key: SimKey; parentId: string }) => boolean): string[] => fails.filter((k) => pick(k, simKey.get(ref(k))!)).map(ref).sort();

      const withTags = fails.find((k) => Object.keys(simKey.get(ref(k))!.key.tags).length > 0)!;
      const [tagName, tagValue] = Object.entries(simKey.get(ref(withTags))!.key.tags)[0]!;
      const withAlias = fails.find((k) => k.aliases.length > 0)!;
      const aliasPrefix = withAlias.aliases[0]!.slice(0, withAlias.aliases[0]!.lastIndexOf('-') + 1);
      const memberOu = fails.map((k) => simKey.get(ref(k))!.parentId).find((p) => p.startsWith('ou-'))!;

      const cases: [ExceptionScope, string[]][] = [
        [{ accounts: [fails[0]!.accountId] }, failRefs((k) => k.accountId === fails[0]!.accountId)],
        [{ ous: [memberOu] }, failRefs((_k, s) => ancestors(scenario, s.parentId).includes(memberOu))],
        [{ ous: [scenario.rootId] }, failRefs(() => true)],
        [{ keys: [fails[1]!.keyArn] }, [ref(fails[1]!)]],
        [{ aliases: [`${aliasPrefix}*`] }, failRefs((_k, s) => s.key.aliases.some((a) => a.startsWith(aliasPrefix)))],
        [{ tags: { [tagName]: tagValue } }, failRefs((_k, s) => s.key.tags[tagName] === tagValue)],
        [{ accounts: [withTags.accountId], tags: { [tagName]: tagValue } }, failRefs((k, s) => k.accountId === withTags.accountId && s.key.tags[tagName] === tagValue)],
      ];
      for (const [scope, expected] of cases) {
        expect(expected.length, JSON.stringify(scope)).toBeGreaterThan(0);
        const register = { source: 'x', maxDays: 365, entries: [entry('EX-1', scope)] };
        const judged = keys.map((k) => applyExceptions(k, register, now));
        expect(judged.filter((k) => k.status === 'EXCEPTION').map(ref).sort(), JSON.stringify(scope)).toEqual(expected);
        judged.forEach((k, i) => {
          if (k.status !== 'EXCEPTION') expect(k).toEqual(keys[i]);
        });
      }

      // Expired and unused entries, and the summary for the results header.
      const register = { source: 'x', maxDays: 365, entries: [entry('EX-OLD', { accounts: [fails[0]!.accountId] }, '2026-10-31'), entry('EX-NONE', { keys: [`${fails[0]!.keyArn.slice(0, -4)}0000`] }, '2026-12-01')] };
      const usage = createExceptionUsage(register);
      const judged = keys.map((k) => applyExceptions(k, register, now, usage));
      expect(judged.some((k) => k.status === 'EXCEPTION')).toBe(false);
      const old = judged.filter((k) => k.accountId === fails[0]!.accountId && k.status === 'FAIL');
      expect(old.every((k) => k.reason.endsWith('Exception EX-OLD (approver jane, ticket SEC-1) expired on 2026-10-31 and no longer applies.'))).toBe(true);
      const summary = exceptionsSummary(register, usage, now);
      expect(summary.entries.map((e) => [e.id, e.state, e.unused, e.keysCovered])).toEqual([
        ['EX-OLD', 'expired', false, old.length],
        ['EX-NONE', 'expiring-soon', true, 0],
      ]);
    });
  });
});
