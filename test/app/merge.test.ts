/**
 * Merging shard parts: exactly the N shards of one scan, in report order with bounded memory
 * (k-way), the header combined; refused (naming what is wrong) for parts of different scans,
 * duplicate shards, missing shards, a complete results file among parts, parts that disagree on
 * options or overlap, and damaged parts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMergeCommand, runReportCommand } from '../../src/cli/report.js';
import { UsageError } from '../../src/core/errors.js';
import { openResults } from '../../src/io/results-document.js';
import type { KeyResult } from '../../src/core/results.js';
import { mergeParts } from '../../src/app/merge/parts.js';
import { resolveFrom } from '../../src/app/merge/sources.js';
import { writeRun } from '../helpers/results.js';
import { keysOf, removeTempDirs, tempDir, writePart } from './helpers.js';

const tmp = (): Promise<string> => tempDir('kra-merge-');

afterAll(removeTempDirs);
const inputs = (paths: string[]) => paths.map((path) => ({ source: path, path }));

async function readKeys(path: string): Promise<KeyResult[]> {
  const keys: KeyResult[] = [];
  for await (const key of (await openResults(path)).keys()) keys.push(key);
  return keys;
}

describe('merging shard parts', () => {
  it('interleaves the parts in report order and combines their headers', async () => {
    const dir = await tmp();
    // Shard 1 holds the lowest and the highest account: the merge must interleave, not concatenate.
    const paths = [
      await writePart(dir, { index: 0, count: 3, accounts: ['200000000000'] }),
      await writePart(dir, { index: 1, count: 3, accounts: ['100000000000', '400000000000'] }),
      await writePart(dir, { index: 2, count: 3, accounts: ['300000000000'] }),
    ];
    const out = join(dir, 'results.json');
    const header = await mergeParts(inputs(paths), out);
    const keys = await readKeys(out);
    expect(keys.map((k) => k.accountId)).toEqual(['100000000000', '200000000000', '300000000000', '400000000000'].flatMap((id) => Array(4).fill(id)));
    expect(keys.map((k) => `${k.accountId}|${k.region}|${k.keyId}`)).toEqual(keys.map((k) => `${k.accountId}|${k.region}|${k.keyId}`).sort());
    expect(header).toMatchObject({ scanId: 'run-1', complete: true, startedAt: '2026-11-28T00:00:00.000Z', parameters: { shard: null } });
    expect(header.summary).toEqual({ keys: 16, byStatus: { PASS: 8, FAIL: 4, NOT_APPLICABLE: 4, EXCEPTION: 0, ERROR: 0 }, accountsInScope: 4, accountRegionPairs: 8 });
    expect(header.coverage.accounts.map((a) => a.accountId)).toEqual(['100000000000', '200000000000', '300000000000', '400000000000']);
    expect(header.coverage.regions.map((r) => `${r.accountId}|${r.region}`)).toEqual(header.coverage.regions.map((r) => `${r.accountId}|${r.region}`).sort());
    expect(header.apiCalls).toEqual({ 'kms:DescribeKey': 16, 'organizations:ListAccounts': 6 });
    expect(header.extensions.scan).toMatchObject({ coverageComplete: true, retries: 3, retriesByClass: { throttling: 3 }, maxInFlight: 8, keyCalls: { eligibleKeys: 6, eligibleCalls: 18, otherKeys: 3, otherCalls: 3 } });
    expect(header.extensions.shards).toMatchObject({ count: 3, parts: [{ index: 0, keys: 4 }, { index: 1, keys: 8 }, { index: 2, keys: 4 }] });
  });

  it('combines the exceptions register summaries: usage adds up, unused only if unused in every shard', async () => {
    const dir = await tmp();
    const entry = (id: string, keysCovered: number, keyArns: string[]) => ({ id, scope: { accounts: ['*'] }, reason: 'r', approver: 'a', ticket: 't', created: '2026-01-01', expires: '2027-01-01', state: 'active', unused: keysCovered === 0, keysCovered, keyArns, keyArnsOmitted: 0, tagsUndecided: 0 });
    const summary = (evaluatedAt: string, entries: ReturnType<typeof entry>[]) => ({ source: 'exceptions.yaml', maxDays: 365, expiringSoonDays: 30, evaluatedAt, counts: {}, entries });
    const paths = [
      await writePart(dir, { index: 0, count: 2, header: { extensions: { exceptions: summary('2026-11-28T00:00:00.000Z', [entry('EX-1', 1, ['arn:b']), entry('EX-2', 0, [])]) } } }),
      await writePart(dir, { index: 1, count: 2, header: { extensions: { exceptions: summary('2026-11-28T00:05:00.000Z', [entry('EX-1', 2, ['arn:c', 'arn:a']), entry('EX-2', 0, [])]) } } }),
    ];
    const header = await mergeParts(inputs(paths), join(dir, 'results.json'));
    expect(header.extensions.exceptions).toMatchObject({
      evaluatedAt: '2026-11-28T00:05:00.000Z',
      counts: { entries: 2, active: 2, unused: 1, keysCovered: 3 },
      entries: [{ id: 'EX-1', keysCovered: 3, unused: false, keyArns: ['arn:a', 'arn:b', 'arn:c'] }, { id: 'EX-2', keysCovered: 0, unused: true }],
    });
    const other = await writePart(join(dir, 'other'), { index: 1, count: 2, header: { extensions: { exceptions: summary('2026-11-28T00:05:00.000Z', [entry('EX-9', 0, [])]) } } });
    await expect(mergeParts(inputs([paths[0]!, other]), join(dir, 'x.json'))).rejects.toThrow(/different exceptions registers/);
  });

  it('refuses parts of different scans, naming each scan and its files', async () => {
    const dir = await tmp();
    const a = await writePart(join(dir, 'a'), { index: 0, count: 2, scanId: 'nightly-1' });
    const b = await writePart(join(dir, 'b'), { index: 1, count: 2, scanId: 'nightly-2' });
    const err = (await mergeParts(inputs([a, b]), join(dir, 'results.json')).then(() => null, (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`--from: parts of different scans: nightly-1 (${a}); nightly-2 (${b}); merge the parts of one scan at a time`);
  });

  it('refuses a shard given twice and names both files', async () => {
    const dir = await tmp();
    const a = await writePart(join(dir, 'a'), { index: 1, count: 2 });
    const b = await writePart(join(dir, 'b'), { index: 1, count: 2, accounts: ['999999999999'] });
    const c = await writePart(join(dir, 'c'), { index: 0, count: 2 });
    await expect(mergeParts(inputs([c, a, b]), join(dir, 'results.json'))).rejects.toThrow(`--from: shard 1/2 given 2 times (${a}, ${b}); give each shard once`);
  });

  it('refuses missing shards and names them', async () => {
    const dir = await tmp();
    const parts = [await writePart(dir, { index: 0, count: 4 }), await writePart(dir, { index: 2, count: 4 })];
    await expect(mergeParts(inputs(parts), join(dir, 'results.json'))).rejects.toThrow('--from: scan run-1 has 4 shards but shards 1, 3 are missing (given: 0, 2); did those shards finish and upload?');
    // Through the report command, from the folder: nothing is written.
    await expect(runReportCommand({ from: [dir], out: join(dir, 'out') })).rejects.toThrow(/shards 1, 3 are missing/);
  });

  it('refuses a complete results file among parts, parts that disagree on the shard count or options, and overlapping parts', async () => {
    const dir = await tmp();
    const part0 = await writePart(join(dir, 'p'), { index: 0, count: 2 });
    const whole = await writeRun(join(dir, 'whole'), keysOf('123412341234'));
    await expect(mergeParts(inputs([part0, whole]), join(dir, 'r.json'))).rejects.toThrow(`${whole}: not a shard part (a complete scan's results); give only the results.part-K-of-N.json files of one run`);
    const ofThree = await writePart(join(dir, 'q'), { index: 1, count: 3 });
    await expect(mergeParts(inputs([part0, ofThree]), join(dir, 'r.json'))).rejects.toThrow(/disagree on the number of shards: 2 \(.*\); 3 \(.*\)/);
    const otherRegions = await writePart(join(dir, 'r'), { index: 1, count: 2, parameters: { regions: ['eu-west-1'] } });
    await expect(mergeParts(inputs([part0, otherRegions]), join(dir, 'r.json'))).rejects.toThrow(/disagree on parameters\.regions: null \(.*\) vs \["eu-west-1"\] \(.*\); every shard must run with the same options/);
    // The owner column would read a different tag in each shard's keys.
    const otherOwner = await writePart(join(dir, 'o'), { index: 1, count: 2, parameters: { ownerTag: 'team' } });
    await expect(mergeParts(inputs([part0, otherOwner]), join(dir, 'r.json'))).rejects.toThrow(/disagree on parameters\.ownerTag: null \(.*\) vs "team" \(.*\)/);
    const overlap = await writePart(join(dir, 's'), { index: 1, count: 2, accounts: ['100000000000'] });
    await expect(mergeParts(inputs([part0, overlap]), join(dir, 'r.json'))).rejects.toThrow(/account 100000000000 is in shard 0 .* and shard 1 .*; the parts are not one partition/);
  });

  it('refuses a damaged part: keys out of order, or fewer keys than its header counts', async () => {
    const dir = await tmp();
    const part0 = await writePart(join(dir, 'p'), { index: 0, count: 2 });
    const part1 = await writePart(join(dir, 'q'), { index: 1, count: 2 });
    const lines = (await readFile(part1, 'utf8')).split('\n');
    // Swap two key lines (line 3 and 4 are the first two keys), keeping the trailing commas right.
    [lines[2], lines[3]] = [lines[3]!.replace(/,?$/, ','), lines[2]!.replace(/,$/, '')];
    lines[3] = lines[3]!.endsWith(',') ? lines[3]! : `${lines[3]},`;
    await writeFile(part1, lines.join('\n'));
    await expect(mergeParts(inputs([part0, part1]), join(dir, 'r.json'))).rejects.toThrow(/results\.part-1-of-2\.json:4: key "[^"]+" is out of order/);
    const short = await writePart(join(dir, 'r'), { index: 1, count: 2 });
    const text = (await readFile(short, 'utf8')).split('\n');
    await writeFile(short, [...text.slice(0, 3), text[3]!.replace(/,$/, ''), ...text.slice(-2)].join('\n'));
    await expect(mergeParts(inputs([part0, short]), join(dir, 'r.json'))).rejects.toThrow(/the parts hold 6 keys but their headers count 8; a part is damaged/);
  });

  it('--from finds parts in folders (recursively), and a file reached twice is one part', async () => {
    const dir = await tmp();
    const a = await writePart(join(dir, 'shard-a'), { index: 0, count: 2 });
    const b = await writePart(join(dir, 'deeper', 'shard-b'), { index: 1, count: 2 });
    const found = await resolveFrom([dir, a], { downloadDir: join(dir, '.dl'), s3: () => { throw new Error('no S3 here'); } });
    expect(found).toEqual({ kind: 'parts', parts: [{ source: b, path: b }, { source: a, path: a }] });
    const whole = await writeRun(join(dir, 'run'), keysOf('123412341234'));
    expect(await resolveFrom([join(dir, 'run')], { downloadDir: '', s3: () => { throw new Error('no S3'); } })).toEqual({ kind: 'results', path: whole });
    await expect(resolveFrom([join(dir, 'run', 'nothing-here')], { downloadDir: '', s3: () => { throw new Error('no S3'); } })).resolves.toMatchObject({ kind: 'results' });
  });

  it('merge --from takes shard parts only: a complete results file, or a run folder without parts, is refused (report --from re-renders them)', async () => {
    const dir = await tmp();
    const whole = await writeRun(join(dir, 'run'), keysOf('123412341234'));
    expect(await resolveFrom([whole], { downloadDir: '', partsOnly: true, s3: () => { throw new Error('no S3'); } })).toEqual({ kind: 'parts', parts: [{ source: whole, path: whole }] });
    await expect(runMergeCommand({ from: [whole], out: join(dir, 'out') })).rejects.toThrow(`${whole}: not a shard part (a complete scan's results); give only the results.part-K-of-N.json files of one run`);
    await expect(runMergeCommand({ from: [join(dir, 'run')], out: join(dir, 'out') })).rejects.toThrow(`--from ${join(dir, 'run')}: no results.part-K-of-N.json files in that folder`);
    await expect(runMergeCommand({ from: [] })).rejects.toThrow(/^--from: expected shard parts/);
  });
});
