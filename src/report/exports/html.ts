/**
 * report.html: one self-contained file, readable offline. The summary and coverage of the PDF's
 * first pages, then every key in a table that sorts and filters by account, OU, region, status and
 * text, rendering only the rows in view (html-app.ts).
 *
 * Untrusted text: the data goes into <script type="application/json"> blocks as JSON with `<`, `>`,
 * `&` and U+2028/U+2029 written as \u escapes (so "</script>" or "<!--" in a description cannot end
 * the block: HTML spec, "Restrictions for contents of script elements"), and the page writes it with
 * textContent only. A Content-Security-Policy allows the one inline script (by its SHA-256) and
 * inline styles, nothing else: no network request of any kind, no other script.
 */
import { notEvidenceStamp, recordedDataSource } from '../not-evidence.js';
import { createHash } from 'node:crypto';
import type { KeyResult, ResultsHeader, StatusCounts } from '../../core/results.js';
import { emptyStatusCounts } from '../../core/results.js';
import type { ControlLine } from '../controls.js';
import type { CoverageSummary } from '../coverage.js';
import { AtomicFile } from '../../io/files.js';
import { reasonWithError } from '../findings.js';
import { plural } from '../../core/text.js';
import { HTML_APP } from './html-app.js';

export const HTML_FILE = 'report.html';

/** JSON safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b2733;background:#f6f8fa}
header,section{max-width:1400px;margin:0 auto;padding:16px 24px}h1{font-size:24px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}.facts dt{color:#57606a}.facts dd{margin:0}
.stamp{background:#b91c1c;color:#fff;font-weight:700;padding:8px 12px;margin:0 0 12px}.lead{font-weight:600}.gap{color:#9a3412}.ok{color:#166534}.counts{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.count{background:#fff;border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:8px 14px;min-width:140px}.count strong{display:block;font-size:22px}
.st-PASS{border-left-color:#1a7f37}.st-FAIL{border-left-color:#cf222e}.st-EXCEPTION{border-left-color:#9a6700}.st-ERROR{border-left-color:#8250df}.st-NOT_APPLICABLE{border-left-color:#8c959f}
table.small{border-collapse:collapse;background:#fff;width:100%}table.small th,table.small td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
td.st-met{color:#1a7f37;font-weight:600}td.st-not_met{color:#cf222e;font-weight:600}td.st-not_assessed{color:#9a6700;font-weight:600}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:8px 0}.filters select,.filters input{padding:4px 6px;font:inherit}
#grid-wrap{border:1px solid #d0d7de;background:#fff;overflow-x:auto}#grid-head{display:flex;position:sticky;top:0;background:#eaeef2}
#grid-head .th{flex:none;font:inherit;font-weight:600;text-align:left;border:0;border-right:1px solid #d0d7de;background:none;padding:4px 6px;cursor:pointer}
#grid-head .th[aria-sort=ascending]::after{content:" ▲"}#grid-head .th[aria-sort=descending]::after{content:" ▼"}
#grid{height:65vh;overflow-y:auto;overflow-x:hidden}#grid-spacer{position:relative}
.row{position:absolute;left:0;top:0;height:28px;display:flex;border-bottom:1px solid #eaeef2}.cell{flex:none;padding:4px 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-right:1px solid #f0f0f0}
.st-row-FAIL .cell:nth-child(8){color:#cf222e;font-weight:600}.st-row-PASS .cell:nth-child(8){color:#1a7f37}.st-row-ERROR .cell:nth-child(8){color:#8250df;font-weight:600}.st-row-EXCEPTION .cell:nth-child(8){color:#9a6700}
`;

export interface HtmlReportInput {
  header: ResultsHeader;
  coverage: CoverageSummary;
  controls: readonly ControlLine[];
}

/** Streams report.html: the head and the page, the keys as they come, then the summary data. */
export class HtmlReportWriter {
  private first = true;
  private readonly counts: StatusCounts = emptyStatusCounts();
  private keys = 0;
  private ruleIds = new Set<string>();
  private constructor(
    private readonly file: AtomicFile,
    private readonly input: HtmlReportInput,
  ) {}

  static open(path: string, input: HtmlReportInput): HtmlReportWriter {
    const w = new HtmlReportWriter(AtomicFile.open(path, { encoding: 'utf8' }), input);
    const scriptHash = createHash('sha256').update(HTML_APP, 'utf8').digest('base64');
    w.file.stream.write(
      `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n` +
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'">\n` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">\n` +
        `<title>KMS key rotation audit</title>\n<style>${CSS}</style></head>\n<body>\n` +
        `<header id="summary"></header>\n<section id="coverage"></section>\n` +
        `<section id="keys"><h2>Keys</h2>\n<div class="filters">` +
        `<label>Account <select id="f-account"><option value="">all</option></select></label>` +
        `<label>OU <select id="f-ou"><option value="">all</option></select></label>` +
        `<label>Region <select id="f-region"><option value="">all</option></select></label>` +
        `<label>Status <select id="f-status"><option value="">all</option></select></label>` +
        `<label>Text <input id="f-text" type="search" placeholder="key id, alias, description, reason…"></label>` +
        `<span id="shown" aria-live="polite"></span></div>\n` +
        `<div id="grid-wrap"><div id="grid-head" role="row"></div><div id="grid"><div id="grid-spacer"></div></div></div></section>\n` +
        `<script type="application/json" id="report-keys">[`,
    );
    return w;
  }

  async write(key: KeyResult): Promise<void> {
    this.keys++;
    if (key.status in this.counts) this.counts[key.status]++;
    this.ruleIds.add(key.ruleId);
    const row = [
      key.accountId, key.accountName, key.ouPath, key.region, key.keyId, key.aliases.join(', '), key.description,
      key.status, typeof key.rotationPeriodDays === 'number' ? key.rotationPeriodDays : null, reasonWithError(key),
    ];
    const chunk = (this.first ? '\n' : ',\n') + scriptJson(row);
    this.first = false;
    await this.file.write(chunk);
  }

  async close(): Promise<void> {
    const { header, coverage, controls } = this.input;
    const gapRows = [
      ...coverage.errorAccounts.map((a) => [a.accountId, '(account)', a.error?.code ?? '', a.error?.operation ?? '', a.error?.message ?? a.reason ?? '']),
      ...coverage.errorRegions.map((r) => [r.accountId, r.region, r.error?.code ?? '', r.error?.operation ?? '', r.error?.message ?? r.reason ?? '']),
    ];
    const statement = !coverage.runComplete
      ? 'Coverage incomplete: the run did not finish, these results are partial.'
      : coverage.gaps === 0
        ? `Complete: every account and account-region in scope was assessed (${plural(coverage.accounts.scanned, 'account')}, ${plural(coverage.regions.scanned, 'account-region')} scanned).`
        : `Incomplete: ${plural(coverage.accounts.error, 'account')} and ${plural(coverage.regions.error, 'account-region')} in scope could not be scanned (listed below).`;
    const meta = {
      notEvidence: notEvidenceStamp({ dataSource: recordedDataSource(header) })?.band ?? null,
      scanId: header.scanId,
      finishedAt: header.finishedAt,
      organizationId: header.organizationId,
      tool: `${header.toolName} ${header.toolVersion}`,
      complete: header.complete,
      ruleId: [...this.ruleIds].join(', ') || 'KMS-002',
      keys: this.keys,
      counts: this.counts,
      controls: controls.map((l) => ({ status: l.assessment.status, framework: l.framework.versionLabel, id: l.control.id, title: l.control.title, basis: l.assessment.basis })),
      coverage: { accounts: coverage.accounts, regions: coverage.regions, gaps: coverage.gaps, statement, gapRows },
    };
    this.file.stream.end(`${this.first ? '' : '\n'}]</script>\n<script type="application/json" id="report-meta">${scriptJson(meta)}</script>\n<script>${HTML_APP}</script>\n</body></html>\n`);
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await this.file.abort();
  }
}
