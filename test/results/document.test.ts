import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResults, writeResultsDocument } from '../../src/results/document.js';
import type { KeyResult, ResultsHeader } from '../../src/results/types.js';
import { makeHeader, makeKey } from '../helpers/results.js';

const header = (): ResultsHeader => makeHeader();
const key = (i: number): KeyResult => makeKey({ keyId: `k-${i}`, description: 'line\nbreak, "quoted"' });

async function collect(it: AsyncIterable<KeyResult>): Promise<KeyResult[]> {
  const out: KeyResult[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('results document', () => {
  it('round-trips as valid JSON and streams back in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    const keys = [key(1), key(2), key(3)];
    await writeResultsDocument(path, header(), keys);
    const parsed = JSON.parse(await readFile(path, 'utf8'));
    expect(parsed.keys).toEqual(keys);
    const reader = await openResults(path);
    expect(reader.header.scanId).toBe('scan-1');
    expect(await collect(reader.keys())).toEqual(keys);
  });

  it('writes an empty key list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeResultsDocument(path, header(), []);
    expect(JSON.parse(await readFile(path, 'utf8')).keys).toEqual([]);
    expect(await collect((await openResults(path)).keys())).toEqual([]);
  });

  it('reads a re-formatted document by parsing it whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeFile(path, JSON.stringify({ format: 'kms-rotation-audit/results', formatVersion: 1, header: header(), keys: [key(7)] }, null, 2));
    expect(await collect((await openResults(path)).keys())).toEqual([key(7)]);
  });

  it('refuses a truncated document and a wrong version, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    await writeResultsDocument(path, header(), [key(1), key(2)]);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, text.lastIndexOf(']}')));
    await expect(collect((await openResults(path)).keys())).rejects.toThrow(/truncated/);
    await writeFile(path, JSON.stringify({ format: 'kms-rotation-audit/results', formatVersion: 99, header: header(), keys: [] }));
    await expect(openResults(path)).rejects.toThrow(new RegExp(`${path}.*formatVersion 99`));
  });
});
