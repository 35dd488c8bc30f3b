import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResults, writeResultsDocument } from '../../src/io/results-document.js';
import type { KeyResult, ResultsHeader } from '../../src/core/results.js';
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

  it('refuses a creation date that is not an ISO 8601 date, and owner / managed-by tag keys that are not tag keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kra-results-'));
    const path = join(dir, 'results.json');
    for (const creationDate of ['yesterday', '=1+2', 42, '2024-03-01 10:00']) {
      await writeResultsDocument(path, header(), [{ ...key(1), creationDate } as unknown as KeyResult]);
      await expect(collect((await openResults(path)).keys()), String(creationDate)).rejects.toThrow(/damaged key \(key "k-1"\): creationDate: expected an ISO 8601 date such as 2024-03-01T10:00:00\.000Z, or null/);
    }
    for (const creationDate of [null, '2024-03-01T10:00:00.000Z', '2024-03-01T18:00:00+08:00']) {
      await writeResultsDocument(path, header(), [{ ...key(1), creationDate }]);
      await expect(collect((await openResults(path)).keys())).resolves.toHaveLength(1);
    }
    for (const ownerTag of ['', 7, 'x'.repeat(129)]) {
      const bad = { ...header(), parameters: { ...header().parameters, ownerTag } } as unknown as ResultsHeader;
      await writeResultsDocument(path, bad, []);
      await expect(openResults(path)).rejects.toThrow(/damaged results header: header\.parameters\.ownerTag/);
    }
    await writeResultsDocument(path, { ...header(), parameters: { ...header().parameters, managedByTag: ['terraform'] } } as unknown as ResultsHeader, []);
    await expect(openResults(path)).rejects.toThrow(/header\.parameters\.managedByTag/);
  });
});
