/**
 * The demo shows change (issue 11, point 11): run again on the same reports root, or into the same
 * --out folder, it scans the simulated organization one step later (keys fixed, keys newly failing,
 * an account added) and compares with the previous demo run; key dates come from a fixed reference
 * date, so keys that did not change have exactly the same facts in both runs.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEMO_EXTENSION, runDemoCommand, type DemoRecord } from '../../src/cli/demo.js';
import type { KeyResult, ResultsHeader } from '../../src/core/results.js';
import { DEFAULT_REFERENCE_DATE } from '../../src/sim/index.js';

interface Run {
  dir: string;
  header: ResultsHeader;
  keys: KeyResult[];
  lines: string[];
}

async function demo(opts: { reportsRoot: string; out?: string; force?: boolean }): Promise<Run> {
  const lines: string[] = [];
  await runDemoCommand({ ...opts, accounts: 12, progress: false, logFormat: 'json', logLevel: 'error', print: (line) => lines.push(line) });
  const dir = lines.find((line) => line.startsWith('Reports in '))!.slice('Reports in '.length, -1);
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { header: ResultsHeader; keys: KeyResult[] };
  return { dir, ...results, lines };
}

async function changeRows(dir: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, 'changes.csv'), 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
}

const ref = (key: Pick<KeyResult, 'accountId' | 'region' | 'keyId'>): string => `${key.accountId}/${key.region}/${key.keyId}`;

describe('demo run twice', () => {
  it('changes the organization one step per run and says so in changes.csv, with dates that do not follow the clock', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kra-demo-'));
    const first = await demo({ reportsRoot: root });
    expect(first.header.extensions[DEMO_EXTENSION]).toMatchObject({ step: 0, changes: null, referenceDate: DEFAULT_REFERENCE_DATE });
    expect(first.lines.join('\n')).toContain('Run the demo again on the same reports root');
    await expect(readFile(join(first.dir, 'changes.csv'))).rejects.toThrow();

    const second = await demo({ reportsRoot: root });
    const record = second.header.extensions[DEMO_EXTENSION] as DemoRecord;
    expect(record.step).toBe(1);
    const rows = await changeRows(second.dir);
    const kinds = (kind: string): string[] => rows.filter((row) => row.change === kind).map((row) => `${row.account_id}/${row.region}/${row.key_id}`).sort();
    expect(kinds('fixed')).toEqual([...record.changes!.fixed].sort());
    expect(kinds('newly_failing')).toEqual([...record.changes!.newlyFailing].sort());
    expect(record.changes!.fixed).toHaveLength(3);
    expect(record.changes!.newlyFailing).toHaveLength(3);
    expect(kinds('new')).toHaveLength(record.changes!.newAccount.keys);
    expect(new Set(rows.filter((row) => row.change === 'new').map((row) => row.account_id))).toEqual(new Set([record.changes!.newAccount.id]));
    // Nothing else moved: same faults, same exceptions, same dates.
    expect(rows.filter((row) => !['fixed', 'newly_failing', 'new'].includes(row.change!))).toEqual([]);
    expect(second.header.coverage.accounts.map((a) => a.accountId)).toContain(record.changes!.newAccount.id);
    expect(second.lines.join('\n')).toMatch(/changes\.csv \(since .*\): 3 fixed, 3 newly failing, \d+ new, 0 gone/);

    const before = new Map(first.keys.map((key) => [ref(key), key]));
    const touched = new Set([...record.changes!.fixed, ...record.changes!.newlyFailing]);
    let compared = 0;
    for (const key of second.keys) {
      const earlier = before.get(ref(key));
      if (!earlier || touched.has(ref(key))) continue;
      compared++;
      expect([key.creationDate, key.nextRotationDate, key.lastRotationDate, key.status], ref(key)).toEqual([earlier.creationDate, earlier.nextRotationDate, earlier.lastRotationDate, earlier.status]);
      if (key.creationDate) expect(key.creationDate < DEFAULT_REFERENCE_DATE, ref(key)).toBe(true);
    }
    expect(compared).toBeGreaterThan(100);

    // Into one --out folder twice (the second with --force): the second compares with the run it replaces.
    const out = join(root, 'manual');
    const third = await demo({ reportsRoot: root, out });
    expect((third.header.extensions[DEMO_EXTENSION] as DemoRecord).step).toBe(2);
    const fourth = await demo({ reportsRoot: root, out, force: true }); // replacing a finished run takes --force, as for scan
    expect((fourth.header.extensions[DEMO_EXTENSION] as DemoRecord).step).toBe(3);
    const again = await changeRows(fourth.dir);
    expect(new Set(again.map((row) => row.change))).toEqual(new Set(['fixed', 'newly_failing', 'new']));
  }, 180_000);
});
