import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeyResult } from '../../src/core/results.js';
import { KeySpool } from '../../src/engine/spool.js';

function key(accountId: string, region: string, keyId: string, description = ''): KeyResult {
  return { accountId, region, keyId, description } as KeyResult;
}

describe('KeySpool', () => {
  it('streams batches back in (account, region, key id) order whatever order they were written in', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'spool-')), 'keys.spool.jsonl');
    const spool = await KeySpool.create(path);
    await Promise.all([
      spool.append('222222222222', 'us-east-1', [key('222222222222', 'us-east-1', 'b'), key('222222222222', 'us-east-1', 'a')]),
      spool.append('111111111111', 'us-west-2', [key('111111111111', 'us-west-2', 'z')]),
      spool.append('111111111111', 'eu-west-1', [key('111111111111', 'eu-west-1', 'm'), key('111111111111', 'eu-west-1', 'c\n"quoted"')]),
      spool.append('111111111111', 'ap-south-1', []),
    ]);
    const out: string[] = [];
    for await (const k of spool.read()) out.push(`${k.accountId}|${k.region}|${k.keyId}`);
    expect(out).toEqual(['111111111111|eu-west-1|c\n"quoted"', '111111111111|eu-west-1|m', '111111111111|us-west-2|z', '222222222222|us-east-1|a', '222222222222|us-east-1|b']);
    expect(spool.keyCount).toBe(5);
    // Read twice: the same stream again.
    let again = 0;
    for await (const _ of spool.read()) again++;
    expect(again).toBe(5);
    await spool.remove();
    expect(existsSync(path)).toBe(false);
  });

  it('streams a batch larger than its read buffer line by line', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'spool-')), 'keys.spool.jsonl');
    const spool = await KeySpool.create(path);
    const big = Array.from({ length: 3000 }, (_, i) => key('333333333333', 'eu-west-1', `k-${String(i).padStart(5, '0')}`, 'x'.repeat(500)));
    await spool.append('333333333333', 'eu-west-1', big.reverse());
    await spool.append('111111111111', 'eu-west-1', [key('111111111111', 'eu-west-1', 'first')]);
    expect((await stat(path)).size).toBeGreaterThan(1 << 20);
    const ids: string[] = [];
    for await (const k of spool.read()) ids.push(k.keyId);
    expect(ids).toHaveLength(3001);
    expect(ids[0]).toBe('first');
    expect(ids.slice(1)).toEqual([...ids.slice(1)].sort());
    await spool.remove();
  });
});
