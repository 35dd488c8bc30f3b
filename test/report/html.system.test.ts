/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * report.html in a real browser (system suite: needs Debian's headless Chromium, `apt-get install -y
 * chromium`, driven by puppeteer-core). Loads the file from disk, filters and sorts and checks what
 * the page shows, checks hostile AWS text does not execute (no dialog, no request beyond the file),
 * and takes screenshots (kept in the temp folder; the path is printed).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { summariseCoverage } from '../../src/report/coverage.js';
import { HtmlReportWriter } from '../../src/report/exports/html.js';
import { writeReports } from '../../src/report/index.js';
import { makeHeader, makeKey, writeRun } from '../helpers/results.js';
import { tempDir } from './helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) throw new Error('the system suite needs Chromium: apt-get install -y chromium');

let browser: Browser;
let beacon: { hits: string[]; url: string; close: () => void };

beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
  // A server a hostile payload would call home to: it must never be hit.
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  beacon = { hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
});
afterAll(async () => {
  await browser?.close();
  beacon?.close();
});

interface Watch {
  dialogs: string[];
  requests: string[];
  errors: string[];
}

async function open(path: string): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const watch: Watch = { dialogs: [], requests: [], errors: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => watch.requests.push(r.url()));
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, watch };
}

const visibleRows = (page: Page) =>
  page.$$eval('#grid-spacer .row', (rows) =>
    rows
      .map((r) => ({ y: new DOMMatrixReadOnly(getComputedStyle(r).transform).m42, cells: [...r.children].map((c) => c.textContent ?? '') }))
      .sort((a, b) => a.y - b.y)
      .map((r) => r.cells),
  );
const shown = (page: Page) => page.$eval('#shown', (e) => e.textContent);

describe('report.html in headless Chromium', () => {
  it('shows summary and coverage, filters and sorts the keys, and hostile text stays text', async () => {
    const dir = await tempDir('kra-html-');
    const hostile = `<img src="${'BEACON'}/img" onerror="alert('xss-img')"></script><script>alert('xss-script')</script><svg onload="fetch('BEACON/svg')">`;
    const keys = [
      makeKey({ keyId: 'aaaa-1', accountId: '111111111111', region: 'eu-west-1', ouPath: 'Root/Prod', status: 'FAIL', reason: 'rotation disabled', rotationEnabled: false, description: hostile.replaceAll('BEACON', beacon.url) }),
      makeKey({ keyId: 'bbbb-2', accountId: '111111111111', region: 'us-east-1', ouPath: 'Root/Prod', aliases: [`alias/"><img src=${beacon.url}/alias onerror=alert('alias')>`], rotationPeriodDays: 90 }),
      makeKey({ keyId: 'cccc-3', accountId: '222222222222', accountName: `<iframe src="${beacon.url}/name"></iframe>`, region: 'eu-west-1', ouPath: 'Root/Dev', status: 'FAIL', reason: 'rotation disabled', rotationEnabled: false }),
      makeKey({ keyId: 'dddd-4', accountId: '222222222222', region: 'us-east-1', ouPath: 'Root/Dev', status: 'ERROR', reason: 'could not read rotation status', error: { code: 'AccessDeniedException', operation: 'kms:GetKeyRotationStatus', message: 'denied' } }),
      makeKey({ keyId: 'eeee-5', accountId: '333333333333', region: 'ap-southeast-2', ouPath: 'Root/Dev', rotationPeriodDays: 180 }),
    ];
    const results = await writeRun(dir, keys, { organizationId: 'o-example1' });
    await writeReports({ resultsPath: results, outDir: dir, frameworks: await loadFrameworks({}) });
    const { page, watch } = await open(join(dir, 'report.html'));

    // Summary and coverage.
    const summary = await page.$eval('#summary', (e) => e.textContent ?? '');
    expect(summary).toContain('2 of 5 applicable keys comply (40.0%)');
    expect(summary).toContain('CIS');
    expect(await page.$eval('#coverage', (e) => e.textContent ?? '')).toContain('Complete: every account and account-region in scope was assessed');
    expect(await shown(page)).toBe('5 of 5 keys');

    // The hostile description is shown as text, in its cell.
    const rows = await visibleRows(page);
    expect(rows.map((r) => r[4])).toEqual(['aaaa-1', 'bbbb-2', 'cccc-3', 'dddd-4', 'eeee-5']);
    expect(rows[0]![6]).toBe(hostile.replaceAll('BEACON', beacon.url));
    expect(rows[2]![1]).toContain('<iframe');
    expect(await page.$$('#grid img, #grid svg, #grid iframe, #grid script')).toHaveLength(0);

    // Filters: status, account, OU, region, text.
    await page.select('#f-status', 'FAIL');
    expect(await shown(page)).toBe('2 of 5 keys');
    expect((await visibleRows(page)).map((r) => r[4])).toEqual(['aaaa-1', 'cccc-3']);
    await page.select('#f-account', '222222222222');
    expect((await visibleRows(page)).map((r) => r[4])).toEqual(['cccc-3']);
    await page.select('#f-status', '');
    await page.select('#f-account', '');
    await page.select('#f-ou', 'Root/Dev');
    await page.select('#f-region', 'us-east-1');
    expect((await visibleRows(page)).map((r) => r[4])).toEqual(['dddd-4']);
    await page.select('#f-ou', '');
    await page.select('#f-region', '');
    await page.type('#f-text', 'accessdenied');
    await page.waitForFunction(() => document.getElementById('shown')?.textContent === '1 of 5 keys');
    expect((await visibleRows(page))[0]![9]).toContain('AccessDeniedException');
    await page.$eval('#f-text', (e) => ((e as HTMLInputElement).value = ''));
    await page.type('#f-text', ' ');
    await page.waitForFunction(() => document.getElementById('shown')?.textContent === '5 of 5 keys');

    // Sort: by key id descending (two clicks), then by rotation period ascending (numbers, empty last).
    const header = (label: string) => page.$eval(`#grid-head .th[data-col="${['Account', 'Account name', 'OU', 'Region', 'Key id', 'Aliases', 'Description', 'Status', 'Period (days)', 'Reason'].indexOf(label)}"]`, (b) => (b as HTMLElement).click());
    await header('Key id');
    await header('Key id');
    expect((await visibleRows(page)).map((r) => r[4])).toEqual(['eeee-5', 'dddd-4', 'cccc-3', 'bbbb-2', 'aaaa-1']);
    await header('Period (days)');
    expect((await visibleRows(page)).map((r) => r[8])).toEqual(['90', '180', '365', '365', '365']);

    const shot = join(dir, 'report-small.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    // Nothing ran, nothing was fetched: only the file itself was requested.
    expect(watch.dialogs).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(watch.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(beacon.hits).toEqual([]);
    await page.close();
  });

  it('100,000 keys: loads, renders only the rows in view, filters and scrolls', async () => {
    const dir = await tempDir('kra-html-big-');
    const header = makeHeader({ scanId: 'big' });
    const path = join(dir, 'report.html');
    const writer = HtmlReportWriter.open(path, { header, coverage: summariseCoverage(header), controls: [] });
    const statuses = ['PASS', 'PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;
    for (let i = 0; i < 100_000; i++) {
      const accountId = String(100000000000 + (i % 500));
      await writer.write(makeKey({ keyId: `k-${String(i).padStart(6, '0')}`, accountId, region: i % 2 ? 'eu-west-1' : 'us-east-1', status: statuses[i % 5]!, description: `key number ${i}` }));
    }
    await writer.close();
    const started = Date.now();
    const { page, watch } = await open(path);
    const loadMs = Date.now() - started;
    expect(await shown(page)).toBe('100,000 of 100,000 keys');
    const domRows = await page.$$eval('#grid-spacer .row', (r) => r.length);
    expect(domRows).toBeLessThan(100); // only what is in view (plus overscan)
    await page.select('#f-status', 'FAIL');
    expect(await shown(page)).toBe('20,000 of 100,000 keys');
    const t0 = Date.now();
    await page.$eval('#grid', (g) => (g.scrollTop = 19_990 * 28));
    await page.waitForFunction(() => [...document.querySelectorAll('#grid-spacer .row .cell:nth-child(5)')].some((c) => c.textContent === 'k-099997'));
    const scrollMs = Date.now() - t0;
    await page.screenshot({ path: join(dir, 'report-100k.png') });
    console.log(`100k keys: load ${loadMs} ms, scroll to the end ${scrollMs} ms, ${domRows} row elements; screenshot ${join(dir, 'report-100k.png')}`);
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});
