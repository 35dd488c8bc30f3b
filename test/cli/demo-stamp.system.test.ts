/** The demo scans the embedded simulator: its report must never pass for evidence about AWS. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemoCommand } from '../../src/cli/demo.js';
import { run, tempDir } from '../report/helpers.js';

describe('demo', () => {
  it('stamps every page of its PDF NOT EVIDENCE and flags the simulator endpoint in the manifest', async () => {
    const out = join(await tempDir('kra-demo-'), 'run');
    expect(await runDemoCommand({ out, progress: false, logFormat: 'json', print: () => undefined })).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { scan: { dataSource: { endpoints: string[]; nonAws: boolean } } };
    expect(manifest.scan.dataSource.nonAws).toBe(true);
    expect(manifest.scan.dataSource.endpoints).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)]);
    const pdf = join(out, 'report.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]))![1]);
    for (let page = 1; page <= pages; page++) {
      expect(run('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-']), `page ${page}`).toContain(`NOT EVIDENCE: the data came from a non-AWS endpoint (${manifest.scan.dataSource.endpoints[0]})`);
    }
  });
});
