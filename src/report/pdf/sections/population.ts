/**
 * Population appendix: every account in scope (the results header's coverage), one row each, with its
 * state, OU path, how it was reached and the outcome, its regions and its keys by status, so the
 * population is evidenced rather than asserted. coverage.csv (attached) has the same accounts by region.
 */
import { emptyStatusCounts } from '../../../core/results.js';
import { populationRows, type PopulationRow } from '../../coverage.js';
import { formatInt, plural } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawTable, type Row } from '../table.js';
import { COLOUR, SIZE, STATUS_COLOUR } from '../theme.js';

/** Accounts listed at most (an organization holds a few thousand at most; coverage.csv has them all). */
export const MAX_POPULATION_ROWS = 5_000;

const ACCESS: Record<string, string> = { 'base-credentials': 'base credentials', 'assumed-role': 'read role', none: 'not reached' };

export function outcomeText(row: PopulationRow): string {
  const a = row.account;
  if (a.status === 'skipped') return `skipped: ${a.reason ?? 'not scanned'}`;
  if (a.status === 'error') return `not accessible: ${a.error ? `${a.error.code} (${a.error.operation})` : (a.reason ?? 'error')}`;
  return `scanned with the ${ACCESS[a.access] ?? a.access}`;
}

export function drawPopulation(pdf: Pdf, model: PdfModel): void {
  const rows = populationRows(model.header, (id) => model.summary.byAccount.get(id)?.counts ?? emptyStatusCounts());
  pdf.startSection('Population appendix', { orientation: 'landscape' });
  pdf.blocks(model.templates.text.population);
  const c = model.coverage;
  pdf.paragraph(
    `${plural(rows.length, 'account')} in scope: ${formatInt(c.accounts.scanned)} scanned, ${formatInt(c.accounts.error)} not accessible, ${formatInt(c.accounts.skipped)} skipped (not ACTIVE). ` +
      `${plural(c.regions.total, 'account-region')} listed in the accessible accounts: ${formatInt(c.regions.scanned)} scanned, ${formatInt(c.regions.notEnabled)} not enabled (not accessible to the scan), ${formatInt(c.regions.error)} failed${c.regions.skipped ? `, ${formatInt(c.regions.skipped)} skipped` : ''}; the regions of an account that could not be accessed are unknown. ${plural(model.summary.keys, 'key')} found.`,
    { font: 'bold' },
  );
  const shown = rows.slice(0, MAX_POPULATION_ROWS);
  drawTable(
    pdf,
    [
      { header: 'Account', weight: 96 },
      { header: 'OU path', weight: 110 },
      { header: 'State', weight: 66 },
      { header: 'Access and outcome', weight: 136 },
      { header: 'Regions scanned', weight: 44, align: 'right' },
      { header: 'Not enabled', weight: 44, align: 'right' },
      { header: 'Failed', weight: 60, align: 'right' },
      { header: 'PASS', weight: 32, align: 'right' },
      { header: 'FAIL', weight: 32, align: 'right' },
      { header: 'EXC.', weight: 30, align: 'right' },
      { header: 'ERROR', weight: 34, align: 'right' },
      { header: 'N/A', weight: 32, align: 'right' },
    ],
    shown.map((row): Row => {
      const a = row.account;
      const k = row.keys;
      return [
        a.accountName ? `${a.accountId}\n${a.accountName}` : a.accountId,
        a.ouPath ?? '—',
        a.state ?? '—',
        { text: outcomeText(row), colour: a.status === 'error' ? STATUS_COLOUR.ERROR : a.status === 'skipped' ? COLOUR.muted : COLOUR.text },
        a.status === 'scanned' ? formatInt(row.regionsScanned) : '—',
        a.status === 'scanned' ? formatInt(row.regionsNotEnabled) : '—',
        row.regionsFailed.length ? { text: row.regionsFailed.join('\n'), colour: STATUS_COLOUR.ERROR } : a.status === 'scanned' ? '0' : '—',
        formatInt(k.PASS),
        k.FAIL ? { text: formatInt(k.FAIL), colour: STATUS_COLOUR.FAIL, font: 'bold' } : '0',
        formatInt(k.EXCEPTION),
        k.ERROR ? { text: formatInt(k.ERROR), colour: STATUS_COLOUR.ERROR, font: 'bold' } : '0',
        formatInt(k.NOT_APPLICABLE),
      ];
    }),
    { size: SIZE.small - 0.5, maxCellLines: 8, fullTextIn: 'coverage.csv' },
  );
  if (rows.length > shown.length) pdf.note(`${plural(rows.length - shown.length, 'more account')} in scope ${rows.length - shown.length === 1 ? 'is' : 'are'} not listed here, to keep this document readable: coverage.csv (attached) lists every one.`);
}
