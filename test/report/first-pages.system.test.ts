/**
 * Issue 11, the PDF's truth: a scan of the simulator (an endpoint that is not AWS) with an account
 * that cannot be accessed, one that is not ACTIVE, a region not enabled, a failing multi-Region set
 * and an AWS managed key. The first pages state the snapshot, the coverage verdict and the sign-off;
 * every page says the data is not evidence; the population appendix lists every account; "in scope"
 * is the same number in results.json, the PDF and coverage.csv; the permissions printed are exactly
 * the operations counted; the table of contents points at the right pages.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResults } from '../../src/io/results-document.js';
import type { ResultsHeader } from '../../src/core/results.js';
import { simScenario, startSimulator, type Simulator } from '../../src/sim/index.js';
import { scanInto, tempDir } from '../evidence/helpers.js';
import { readCsv, run } from './helpers.js';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const LOCKED = '333333333333';
const SUSPENDED = '444444444444';
const MRK = 'mrk-1234567890abcdef1234567890abcdef';

const flat = (s: string): string => s.replace(/\s+/g, ' ');

function scenario() {
  return simScenario({
    regions: ['us-east-1', 'eu-west-1', 'ap-east-1'],
    accounts: [
      { id: MGMT, name: 'management', keys: [{ region: 'us-east-1', keyId: 'aaaaaaaa-0000-4000-8000-000000000001', rotation: { enabled: true, periodDays: 365 } }] },
      {
        id: MEMBER,
        name: 'payments',
        keys: [
          { region: 'us-east-1', keyId: MRK, rotation: { enabled: false }, multiRegion: { type: 'PRIMARY', primaryRegion: 'us-east-1', primaryKeyId: MRK, replicaRegions: ['eu-west-1'] } },
          { region: 'eu-west-1', keyId: MRK, multiRegion: { type: 'REPLICA', primaryRegion: 'us-east-1', primaryKeyId: MRK } },
          { region: 'eu-west-1', keyId: 'bbbbbbbb-0000-4000-8000-000000000002', keyManager: 'AWS', rotation: { enabled: true }, aliases: ['alias/aws/s3'] },
        ],
      },
      { id: LOCKED, name: 'locked', roles: [] },
      { id: SUSPENDED, name: 'closing', state: 'SUSPENDED' },
    ],
  });
}

let sim: Simulator;
let dir: string;
let header: ResultsHeader;
let pages: string[];
let all: string;
/** pdftotext without -layout: each table cell's lines together. */
let raw: string;

beforeAll(async () => {
  sim = await startSimulator({ scenario: scenario() });
  dir = join(await tempDir(), 'run');
  await scanInto(sim, dir, { failOn: 'never', preparedBy: 'Jane Doe, Cloud Security Engineer, 2026-06-01', approvedBy: { name: 'Ann Smith', role: 'CISO' } });
  header = (await openResults(join(dir, 'results.json'))).header;
  const pdf = join(dir, 'report.pdf');
  const count = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]))![1]);
  pages = Array.from({ length: count }, (_, i) => run('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), pdf, '-']));
  all = flat(pages.join('\n'));
  raw = flat(run('pdftotext', [pdf, '-']));
});
afterAll(async () => sim.stop());

const pageOf = (heading: string): number => pages.findIndex((p, i) => i > 1 && new RegExp(`^\\s*${heading}\\s*$`, 'm').test(p)) + 1;

describe('data from a non-AWS endpoint', () => {
  it('is stamped on every page of the PDF and flagged in results.json and the manifest', async () => {
    const endpoint = sim.endpoint.replace(/\/$/, '');
    expect(header.dataSource).toEqual({ endpoints: [endpoint], nonAws: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { scan: { dataSource: unknown } };
    expect(manifest.scan.dataSource).toEqual({ endpoints: [endpoint], nonAws: true });
    pages.forEach((page, i) => expect(flat(page), `page ${i + 1}`).toContain(`NOT EVIDENCE: the data came from a non-AWS endpoint (${endpoint})`));
    expect(flat(pages[0]!)).toContain(`Data source NOT AWS: a non-AWS endpoint (${endpoint})`);
  });
});

describe('the first pages', () => {
  it('the cover states the snapshot to the second, what a point-in-time test shows, no reporting period, and the coverage verdict', () => {
    const cover = flat(pages[0]!);
    const at = header.finishedAt;
    expect(cover).toContain(`Snapshot time ${at.slice(0, 10)} ${at.slice(11, 19)} UTC`);
    expect(cover).toContain('This is a point-in-time test.');
    expect(cover).not.toContain('Reporting period');
    expect(cover).toContain('Coverage INCOMPLETE: not assessed: 1 account.');
    expect(cover).toContain('4 in scope: 2 scanned, 1 not accessible, 1 skipped (not ACTIVE)');
  });

  it('the cover and the sign-off page carry the sign-off, with blank lines for whoever is not named', () => {
    const cover = flat(pages[0]!);
    expect(cover).toContain('Prepared by Jane Doe, Cloud Security Engineer, 2026-06-01');
    expect(cover).toContain('Reviewed by not named: see Sign-off (page 2)');
    expect(cover).toContain('Approved by Ann Smith, CISO, date to be entered');
    const signOff = flat(pages[1]!);
    expect(signOff).toContain('The preparer confirms that this report was generated by kms-rotation-audit');
    expect(signOff).toMatch(/Prepared by\s+Jane Doe\s+Cloud Security Engineer\s+2026-06-01/);
    expect(signOff).toContain('No one was named as reviewed by');
  });

  it('the executive summary opens with the coverage verdict, then compliance, with the replica counted with its failing primary', () => {
    const summary = flat(pages[pageOf('Executive summary') - 1]!);
    expect(summary.indexOf('Coverage: INCOMPLETE. Not assessed: 1 account that could not be accessed')).toBeGreaterThan(summary.indexOf('Executive summary'));
    expect(summary.indexOf('Coverage: INCOMPLETE')).toBeLessThan(summary.indexOf('Compliance:'));
    // mgmt key PASS, primary FAIL, its replica failing through it: 1 of 3 comply.
    expect(summary).toContain('Compliance: 1 of 3 keys under the rule comply (33.3%): 1 pass and 0 are covered by an approved exception. 1 fail, and 1 multi-Region replica fails through its primary (shared key material)');
    expect(summary).toContain('1 AWS managed key, rotated by AWS every year');
    expect(all).not.toContain('cannot be rotated automatically and are not applicable');
  });

  it("each control's basis carries the coverage verdict, and interpretive mappings are marked where first shown", () => {
    expect(raw).toContain('not met 1 key FAIL (and 1 multi-Region replica of failing primaries); coverage incomplete: 1 account not assessed interpretive*');
    expect(raw).toContain('Status not met: 1 key FAIL (and 1 multi-Region replica of failing primaries); coverage incomplete: 1 account not assessed');
  });

  it('lists the failing replica as FAIL through its primary, fixed on the primary', () => {
    expect(raw).toMatch(new RegExp(`${MEMBER} payments eu-west-1 ${MRK} FAIL through its primary: Multi-Region replica key: rotation is set on its primary key .*judged FAIL in us-east-1\\. Fixed on its primary key`));
  });

  it('the printed table of contents gives the page each section starts on', () => {
    const toc = pages[1]!.split('Contents')[1]!;
    const entries = [...toc.matchAll(/^\s*(\S.*?)\s{3,}(\d+)\s*$/gm)].map((m) => [m[1]!.trim(), Number(m[2])] as const);
    expect(entries.map(([title]) => title)).toEqual(expect.arrayContaining(['Cover', 'Sign-off and contents', 'Executive summary', 'Coverage statement', 'Population appendix', 'Methodology', 'Integrity appendix']));
    for (const [title, page] of entries) {
      if (title === 'Cover' || title === 'Sign-off and contents') continue;
      // The section's heading is on that page (and is not on the page before, which would mean it started earlier).
      expect(flat(pages[page - 1]!), `${title} on page ${page}`).toContain(title);
    }
    expect(entries.find(([title]) => title === 'Population appendix')![1]).toBe(pageOf('Population appendix'));
    expect(entries.find(([title]) => title === 'Executive summary')![1]).toBe(3);
  });
});

describe('the population', () => {
  it('one definition of in scope: results.json, the PDF and coverage.csv agree', async () => {
    expect(header.summary.accountsInScope).toBe(4);
    const coverage = await readCsv(join(dir, 'coverage.csv'));
    expect(new Set(coverage.rows.slice(1).map((r) => r[2])).size).toBe(4);
    expect(all).toContain('Population: 4 accounts in scope');
    expect(all).toContain('4 accounts in scope: 2 scanned, 1 not accessible, 1 skipped (not ACTIVE)');
  });

  it('the population appendix lists every account with state, access outcome, regions and keys', () => {
    const appendix = raw.slice(raw.lastIndexOf('Population appendix'), raw.lastIndexOf('Integrity appendix'));
    // Account, OU path, state, outcome, regions scanned / not enabled / failed, keys PASS FAIL EXC. ERROR N/A.
    expect(appendix).toContain(`${MGMT} management Root ACTIVE scanned with the base credentials 2 1 0 1 0 0 0 0`);
    expect(appendix).toContain(`${MEMBER} payments Root ACTIVE scanned with the read role 2 1 0 0 1 0 0 2`);
    expect(appendix).toContain(`${LOCKED} locked Root ACTIVE not accessible: AccessDenied (sts:AssumeRole) — — — 0 0 0 0 0`);
    expect(appendix).toContain(`${SUSPENDED} closing Root SUSPENDED skipped: Account state SUSPENDED: only ACTIVE accounts are scanned. — — — 0 0 0 0 0`);
  });

  it('regions not enabled are described as not accessible to the scan', () => {
    expect(all).toContain('Regions not enabled: not accessible to the scan (not counted as gaps)');
    expect(all).not.toMatch(/cannot hold keys|can hold no keys/);
  });
});

describe('methodology from the run', () => {
  it('prints the permissions of exactly the operations the run called', () => {
    const start = all.indexOf('Permissions used by this run');
    const section = all.slice(start, all.indexOf(' Scope ', start));
    const printed = new Set([...section.matchAll(/\b(kms|ec2|sts|organizations):[A-Za-z]+/g)].map((m) => m[0]));
    expect(printed).toEqual(new Set(Object.keys(header.apiCalls)));
    expect(printed.has('organizations:ListOrganizationalUnitsForParent')).toBe(true);
    expect(printed.has('kms:ListResourceTags')).toBe(false);
    expect(all).toContain('Run finished yes: every account in scope was attempted');
    expect(all).toContain('Coverage coverage incomplete: 1 account not assessed');
  });
});
