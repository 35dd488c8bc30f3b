import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { UsageError } from '../../src/core/errors.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { tempDir } from './helpers.js';

// The synthetic fixture holds two keys whose stored status its facts do not give (an EXCEPTION with no
// register recorded, a disabled key FAIL under evaluateDisabled false): re-render it as it is.
// The refusal itself is tested in test/evidence/rejudge.test.ts.
const FIXTURE_AS_IS = { allowTampered: true };

describe('report command', () => {
  it('re-renders next to the results file when --out is absent', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    const result = await runReportCommand({ ...FIXTURE_AS_IS, from: [join(dir, 'results.json')] });
    expect(result.outDir).toBe(dir);
    expect((await readdir(dir)).sort()).toEqual(['controls.csv', 'coverage.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'manifest.json', 'report.html', 'report.pdf', 'results.json']);
    expect(result.pages).toBeGreaterThan(5);
  });

  it('refuses several files that cannot be read (several files are shard parts to merge: test/shard), none, or --previous = --from', async () => {
    await expect(runReportCommand({ from: ['/nonexistent/a.json', '/nonexistent/b.json'] })).rejects.toThrow(/\/nonexistent\/a\.json: cannot read results document/);
    await expect(runReportCommand({ from: [] })).rejects.toBeInstanceOf(UsageError);
    await expect(runReportCommand({ from: ['/x/results.json'], previous: '/x/results.json' })).rejects.toThrow(/same file/);
    await expect(runReportCommand({ from: ['/nonexistent/results.json'] })).rejects.toThrow(/\/nonexistent\/results\.json: cannot read results document/);
  });
});
