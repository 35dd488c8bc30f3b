/**
 * The results document streams at scale: 200,000 keys written as 4 shard parts, k-way merged and
 * read back in a child process whose V8 heap is capped at 64 MB. Holding the keys would need
 * several times that (200,000 parsed keys take well over 100 MB), so the run only succeeds if
 * the writer, the merge and the reader each hold a bounded number of keys.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/paths.js';

const run = promisify(execFile);
const script = join(packageRoot, 'dist/bench/stream-roundtrip.js');

describe('streaming results at scale', () => {
  it('200,000 keys: write 4 parts, merge, read back in order, with a 64 MB heap', async () => {
    expect(existsSync(script), `${script} is built by npm run build (npm test runs it first)`).toBe(true);
    const { stdout } = await run(process.execPath, ['--max-old-space-size=64', script, '--keys', '200000', '--parts', '4'], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      maxBuffer: 1 << 20,
    });
    const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as { keysRead: number; headerKeys: number; mergedMB: number; baselineRssMB: number; peakRssMB: number };
    expect(figures.keysRead).toBe(200_000);
    expect(figures.headerKeys).toBe(200_000);
    expect(figures.mergedMB).toBeGreaterThan(150);
    // The whole process stays near its baseline although the merged document is ~200 MB.
    expect(figures.peakRssMB - figures.baselineRssMB).toBeLessThan(120);
  }, 60_000);
});
