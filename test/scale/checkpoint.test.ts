/**
 * The checkpoint journal behind --resume: accounts recorded concurrently share writes, a line cut
 * short by a crash is ignored and cut off, a resume is recorded and later lines count as a new
 * attempt (API calls of each attempt add up), and a damaged journal is refused with its line.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointJournal, parseCheckpoint, type AccountRecord } from '../../src/engine/checkpoint.js';
import { accountCoverage, removeTempDirs, tempDir } from '../app/helpers.js';

afterAll(removeTempDirs);

const record = (accountId: string, apiCalls: Record<string, number>): Omit<AccountRecord, 'type'> => ({
  accountId,
  coverage: accountCoverage(accountId),
  regions: [{ accountId, region: 'eu-west-1', status: 'scanned', error: null, reason: null, keyCount: 2, keyErrors: 0 }],
  keyCalls: { eligibleKeys: 1, eligibleCalls: 3, otherKeys: 1, otherCalls: 1 },
  batches: [{ accountId, region: 'eu-west-1', offset: 0, length: 10, count: 2 }],
  apiCalls,
});

async function journal(): Promise<{ path: string; syncs: number[]; open: () => Promise<CheckpointJournal> }> {
  const path = join(await tempDir('kra-checkpoint-'), 'checkpoint.jsonl');
  const syncs: number[] = [];
  return {
    path,
    syncs,
    open: () => CheckpointJournal.create(path, { scanId: 'run-9', startedAt: '2026-11-28T02:00:00.000Z', shard: null, scope: { regions: 'all' } }, async () => void syncs.push(Date.now())),
  };
}

describe('checkpoint journal', () => {
  it('records finished accounts durably; concurrent ones share a write; the spool is synced first', async () => {
    const { path, syncs, open } = await journal();
    const j = await open();
    await Promise.all(['111111111111', '222222222222', '333333333333'].map((id, i) => j.accountDone(record(id, { 'kms:ListKeys': i + 1 }))));
    expect(j.accountsWritten).toBe(3);
    // The first account waits for one write; the two that finished meanwhile share the next.
    expect(syncs.length).toBeLessThanOrEqual(2);
    await j.close();
    const { state } = parseCheckpoint(await readFile(path), path);
    expect(state.run).toMatchObject({ scanId: 'run-9', startedAt: '2026-11-28T02:00:00.000Z', shard: null });
    expect([...state.accounts.keys()]).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(state.accounts.get('222222222222')).toMatchObject({ coverage: { accountId: '222222222222' }, batches: [{ count: 2 }] });
    expect(state.attempts).toBe(1);
    expect(state.apiCalls).toEqual({ 'kms:ListKeys': 3 });
  });

  it('ignores a line cut short by a crash, cuts it off on resume, and counts the calls of every attempt', async () => {
    const { path, open } = await journal();
    const first = await open();
    await first.accountDone(record('111111111111', { 'kms:ListKeys': 5 }));
    await first.close();
    await appendFile(path, JSON.stringify({ type: 'account', ...record('222222222222', { 'kms:ListKeys': 9 }) }).slice(0, 60));
    const crashed = parseCheckpoint(await readFile(path), path);
    expect([...crashed.state.accounts.keys()]).toEqual(['111111111111']);

    const second = await CheckpointJournal.resume(path, crashed.validBytes, new Date('2026-11-28T03:00:00Z'), async () => {});
    await second.accountDone(record('222222222222', { 'kms:ListKeys': 2, 'kms:DescribeKey': 4 }));
    await second.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['run', 'account', 'resume', 'account']);
    const { state } = parseCheckpoint(Buffer.from(text), path);
    expect([...state.accounts.keys()]).toEqual(['111111111111', '222222222222']);
    expect(state.attempts).toBe(2);
    expect(state.apiCalls).toEqual({ 'kms:ListKeys': 7, 'kms:DescribeKey': 4 });
  });

  it('refuses a damaged journal, naming the file and line', async () => {
    const { path, open } = await journal();
    const j = await open();
    await j.accountDone(record('111111111111', {}));
    await j.close();
    await appendFile(path, '{"type":"account", oops}\n');
    expect(() => parseCheckpoint(Buffer.from('{"type":"account"}\n'), path)).toThrow(`${path}: not a kms-rotation-audit checkpoint (no run record on line 1)`);
    await expect(readFile(path).then((bytes) => parseCheckpoint(bytes, path))).rejects.toThrow(`${path}:3: not a checkpoint line (invalid JSON)`);
    await writeFile(path, '');
    expect(() => parseCheckpoint(Buffer.alloc(0), path)).toThrow(/empty checkpoint/);
  });
});
