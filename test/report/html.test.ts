/** report.html without a browser: the data blocks cannot be broken out of, and the page allows nothing but its own script. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTML_APP } from '../../src/report/exports/html-app.js';
import { HTML_FILE, scriptJson } from '../../src/report/exports/html.js';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { writeReports } from '../../src/report/index.js';
import { makeKey, writeRun } from '../helpers/results.js';
import { tempDir } from './helpers.js';

export const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)><!--';

describe('report.html (static checks)', () => {
  it('scriptJson escapes what could end a script element, and round-trips', () => {
    const text = scriptJson({ d: HOSTILE, l: '\u2028\u2029&' });
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual({ d: HOSTILE, l: '\u2028\u2029&' });
  });

  it('hostile AWS text appears only inside the JSON blocks, escaped; the CSP allows only the page script', async () => {
    const dir = await tempDir();
    const results = await writeRun(dir, [
      makeKey({ keyId: '1', description: HOSTILE, aliases: ['alias/"><svg onload=alert(3)>'], accountName: '<b>acct</b>', status: 'FAIL', reason: 'rotation disabled' }),
      makeKey({ keyId: '2' }),
    ]);
    await writeReports({ resultsPath: results, outDir: dir, frameworks: await loadFrameworks({}) });
    const html = await readFile(join(dir, HTML_FILE), 'utf8');
    // Outside the data blocks, no trace of the hostile text; inside, no `<` at all.
    const blocks = [...html.matchAll(/<script type="application\/json" id="[\w-]+">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    for (const b of blocks) expect(b).not.toMatch(/[<>]/);
    const markup = blocks.reduce((h, b) => h.replace(b, ''), html);
    expect(markup).not.toContain('alert(');
    expect(markup).not.toContain('onerror');
    expect(markup).not.toContain('acct');
    expect(html.match(/<script/g)).toHaveLength(3); // the two data blocks and the app
    const hash = createHash('sha256').update(HTML_APP).digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain(`<script>${HTML_APP}</script>`);
    // The data is there, intact, for the page to render with textContent.
    const block = /<script type="application\/json" id="report-keys">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(block)[0][6]).toBe(HOSTILE);
  });

  it('a run whose data came from a non-AWS endpoint says NOT EVIDENCE at the top, as the PDF does; an AWS run does not', async () => {
    const meta = async (endpoints: string[]): Promise<{ notEvidence: string | null }> => {
      const dir = await tempDir();
      const results = await writeRun(dir, [makeKey({ keyId: '1' })], { dataSource: { endpoints, nonAws: false } });
      await writeReports({ resultsPath: results, outDir: dir, frameworks: await loadFrameworks({}) });
      const html = await readFile(join(dir, HTML_FILE), 'utf8');
      return JSON.parse(/<script type="application\/json" id="report-meta">([\s\S]*?)<\/script>/.exec(html)![1]!) as { notEvidence: string | null };
    };
    // The stored flag says AWS; the endpoint is decided again, and it is not.
    expect((await meta(['http://127.0.0.1:4566'])).notEvidence).toMatch(/^NOT EVIDENCE: the data came from a non-AWS endpoint \(http:\/\/127\.0\.0\.1:4566\)/);
    expect((await meta(['https://kms.eu-west-1.amazonaws.com'])).notEvidence).toBeNull();
    expect(HTML_APP).toContain("el('p', 'stamp', meta.notEvidence)");
  });
});
