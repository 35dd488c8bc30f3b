/** Coverage statement: what was in scope, what could not be assessed and why. */
import { IN_SCOPE_DEFINITION, type CoverageSummary } from '../../coverage.js';
import type { ReportSummary } from '../../summary.js';
import { formatInt, plural } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable, drawTable, type Row } from '../table.js';
import { COLOUR, SIZE, STATUS_COLOUR } from '../theme.js';

/** Gap rows listed before the PDF refers to coverage.csv. */
const MAX_GAP_ROWS = 500;

export function drawCoverage(pdf: Pdf, model: PdfModel): void {
  const { coverage, summary } = model;
  pdf.startSection('Coverage statement');
  pdf.blocks(model.templates.text.coverage);
  pdf.paragraph(gapStatement(coverage), { font: 'bold' });
  const evidence = evidenceGapText(summary.evidenceGaps);
  if (evidence) pdf.paragraph(evidence);
  drawScopeTable(pdf, coverage, summary);
  drawNotAssessed(pdf, coverage);
  drawNotEnabled(pdf, coverage);
  drawErrorCodes(pdf, summary);
  drawNotApplicable(pdf, summary);
}

/** The one-line verdict: no gap, or what was not assessed. */
function gapStatement(coverage: CoverageSummary): string {
  return coverage.gaps === 0 && coverage.runComplete
    ? 'Every account and region in scope was scanned: there is no coverage gap.'
    : `Not assessed: ${[
        coverage.accounts.error ? plural(coverage.accounts.error, 'account') + ' whose read role or regions could not be read' : null,
        coverage.regions.error ? plural(coverage.regions.error, 'account-region') + ' that could not be listed' : null,
        coverage.runComplete ? null : 'whatever the unfinished run did not reach',
      ].filter(Boolean).join('; ')}. Keys there were not checked and appear in no count.`;
}

/** Accounts, account-regions and keys: in scope, scanned, not enabled, skipped, error. */
function drawScopeTable(pdf: Pdf, coverage: CoverageSummary, summary: ReportSummary): void {
  drawTable(
    pdf,
    [{ header: 'Scope', weight: 3 }, { header: 'In scope', weight: 1, align: 'right' }, { header: 'Scanned', weight: 1, align: 'right' }, { header: 'Not enabled', weight: 1.1, align: 'right' }, { header: 'Skipped', weight: 1, align: 'right' }, { header: 'Error (gap)', weight: 1.1, align: 'right' }],
    [
      ['Accounts', formatInt(coverage.accounts.total), formatInt(coverage.accounts.scanned), '—', formatInt(coverage.accounts.skipped), formatInt(coverage.accounts.error)],
      ['Account-regions (of the accessible accounts)', formatInt(coverage.regions.total), formatInt(coverage.regions.scanned), formatInt(coverage.regions.notEnabled), formatInt(coverage.regions.skipped), formatInt(coverage.regions.error)],
      ['Keys', formatInt(summary.keys), formatInt(summary.keys - summary.counts.ERROR), '—', '—', formatInt(summary.counts.ERROR)],
    ],
    { size: SIZE.small },
  );
  pdf.paragraph(`${IN_SCOPE_DEFINITION} The population appendix lists every account in scope.`, { size: SIZE.small, colour: COLOUR.muted });
}

/** Every account and region not assessed (errors, then skipped), up to MAX_GAP_ROWS. */
function drawNotAssessed(pdf: Pdf, coverage: CoverageSummary): void {
  const gaps: Row[] = [
    ...coverage.errorAccounts.map((a): Row => [a.accountName ? `${a.accountId}\n${a.accountName}` : a.accountId, 'all regions', { text: 'error', colour: STATUS_COLOUR.ERROR }, a.error ? `${a.error.code}\n${a.error.operation}` : '—', a.reason ?? a.error?.message ?? '']),
    ...coverage.errorRegions.map((r): Row => [r.accountId, r.region, { text: 'error', colour: STATUS_COLOUR.ERROR }, r.error ? `${r.error.code}\n${r.error.operation}` : '—', r.reason ?? r.error?.message ?? '']),
    ...coverage.skippedAccounts.map((a): Row => [a.accountName ? `${a.accountId}\n${a.accountName}` : a.accountId, 'all regions', 'skipped', a.state ? `account state ${a.state}` : '—', a.reason ?? '']),
    ...coverage.skippedRegions.map((r): Row => [r.accountId, r.region, 'skipped', '—', r.reason ?? '']),
  ];
  if (!gaps.length) return;
  drawHeadedTable(
    pdf,
    'Accounts and regions not assessed',
    [{ header: 'Account', weight: 2.2 }, { header: 'Region', weight: 1.4 }, { header: 'Status', weight: 1 }, { header: 'AWS error', weight: 2.6 }, { header: 'Reason', weight: 4.5 }],
    gaps.slice(0, MAX_GAP_ROWS),
    { fullTextIn: 'coverage.csv' },
  );
  if (gaps.length > MAX_GAP_ROWS) pdf.note(`${formatInt(gaps.length - MAX_GAP_ROWS)} more rows are in coverage.csv.`);
}

function drawNotEnabled(pdf: Pdf, coverage: CoverageSummary): void {
  if (!coverage.notEnabledByRegion.size) return;
  drawHeadedTable(
    pdf,
    'Regions not enabled: not accessible to the scan (not counted as gaps)',
    [{ header: 'Region', weight: 2 }, { header: 'Accounts where not enabled', weight: 2, align: 'right' }],
    [...coverage.notEnabledByRegion.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([region, n]) => [region, formatInt(n)]),
    { size: SIZE.small },
  );
}

function drawErrorCodes(pdf: Pdf, summary: ReportSummary): void {
  if (!summary.errorCodes.size) return;
  drawHeadedTable(
    pdf,
    'Keys that could not be checked, by AWS error',
    [{ header: 'AWS error (operation)', weight: 5 }, { header: 'Keys', weight: 1, align: 'right' }],
    sortedCounts(summary.errorCodes).map(([code, n]) => [code, formatInt(n)]),
    { size: SIZE.small },
  );
}

function drawNotApplicable(pdf: Pdf, summary: ReportSummary): void {
  if (!summary.notApplicableReasons.size) return;
  drawHeadedTable(
    pdf,
    'Keys not applicable, by cause',
    [{ header: 'Cause', weight: 2.6 }, { header: 'Keys', weight: 0.8, align: 'right' }, { header: 'Example reason', weight: 6 }],
    [...summary.notApplicableReasons.entries()]
      .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0))
      .map(([cause, { count, example }]) => [cause, formatInt(count), example]),
    { size: SIZE.small },
  );
  pdf.paragraph('Causes are the labels of the rule\'s reasons; each key\'s full reason (with its primary key, key store or deletion date) is in findings.csv.', { size: SIZE.small, colour: COLOUR.muted });
}

const EVIDENCE_LABEL: Record<string, string> = { 'rotation-history': 'rotation history', tags: 'tags', aliases: 'aliases' };

/**
 * "Evidence not available (statuses unaffected): rotation history for 3 keys (AccessDeniedException)…"
 * The verdict comes from DescribeKey and GetKeyRotationStatus; these gaps never change a status.
 */
export function evidenceGapText(gaps: Map<string, number>): string | null {
  if (gaps.size === 0) return null;
  const byEvidence = new Map<string, { total: number; codes: string[] }>();
  for (const [key, n] of [...gaps.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [evidence = '', code = ''] = key.split('|');
    const entry = byEvidence.get(evidence) ?? { total: 0, codes: [] };
    entry.total += n;
    entry.codes.push(code);
    byEvidence.set(evidence, entry);
  }
  const parts = [...byEvidence.entries()].map(([evidence, { total, codes }]) => `${EVIDENCE_LABEL[evidence] ?? evidence} not available for ${plural(total, 'key')} (${codes.join(', ')})`);
  return `Evidence gaps (statuses unaffected; the verdict comes from DescribeKey and GetKeyRotationStatus): ${parts.join('; ')}. Each key's gaps are in findings.csv, column evidence_gaps.`;
}

function sortedCounts(map: Map<string, number>): [string, number][] {
  return [...map.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
}
