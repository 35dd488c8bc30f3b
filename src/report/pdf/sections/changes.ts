/**
 * "Changes since <date>": this run against the previous finished run. Key-by-key change counts (the same
 * classification as changes.csv), the counts by status then and now as a chart, and the first newly
 * failing keys. Drawn only when a previous run was given.
 */
import { CHANGE_KINDS, type ChangeKind } from '../../changes.js';
import { ALL_STATUSES } from '../../../core/results.js';
import { displayUtc, displayUtcSeconds, formatInt, plural } from '../../../core/text.js';
import { trendBars } from '../charts.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable, drawTable, type Row } from '../table.js';
import { COLOUR, SIZE, STATUS_COLOUR, STATUS_LABEL } from '../theme.js';

export const CHANGE_LABELS: Record<ChangeKind, [string, string]> = {
  newly_failing: ['Newly failing', 'FAIL now, another status then'],
  fixed: ['Fixed', 'FAIL then, PASS now'],
  new: ['New keys', 'not in the previous run'],
  gone: ['Keys gone', 'absent now from an account-region this run scanned (deleted since)'],
  not_assessed: ['Not assessed now', 'account or region not scanned this time: state unknown, not deleted'],
  status_changed: ['Other status changes', 'e.g. PASS to NOT APPLICABLE, FAIL to EXCEPTION, or to ERROR'],
};

/** The title, also the bookmark: the previous run's snapshot time. */
export function changesTitle(model: PdfModel): string | null {
  const since = model.changes?.previousFinishedAt ?? model.trend?.finishedAt;
  return since === undefined ? null : `Changes since ${displayUtc(since)}`;
}

export function drawChanges(pdf: Pdf, model: PdfModel): void {
  const title = changesTitle(model);
  if (!title) return;
  const { changes, trend, summary, header } = model;
  pdf.startSection(title);
  const previousId = changes?.previousScanId ?? trend?.scanId ?? '';
  const previousAt = changes?.previousFinishedAt ?? trend?.finishedAt;
  pdf.paragraph(
    `This run (scan ${header.scanId}, snapshot ${displayUtcSeconds(header.finishedAt)}) compared with the previous finished run (scan ${previousId}, snapshot ${displayUtcSeconds(previousAt)}).` +
      (changes ? ' Keys are matched by account, region and key id; changes.csv in the report folder lists every changed key with its previous and current status and reason.' : ''),
  );

  if (changes) {
    const total = CHANGE_KINDS.reduce((sum, kind) => sum + changes.counts[kind], 0);
    drawHeadedTable(
      pdf,
      'Key-by-key changes',
      [{ header: 'Change', weight: 2 }, { header: 'Meaning', weight: 5.2 }, { header: 'Keys', weight: 1, align: 'right' }],
      [
        ...CHANGE_KINDS.map((kind): Row => [
          { text: CHANGE_LABELS[kind][0], font: 'bold', colour: kind === 'newly_failing' && changes.counts[kind] > 0 ? STATUS_COLOUR.FAIL : COLOUR.text },
          CHANGE_LABELS[kind][1],
          formatInt(changes.counts[kind]),
        ]),
        [{ text: 'Total changed', font: 'bold' }, '', { text: formatInt(total), font: 'bold' }],
      ],
      { size: SIZE.small },
    );
    if (total === 0) pdf.paragraph('No key changed status, appeared or disappeared since the previous run.', { font: 'bold' });
  }

  if (trend) {
    const c = summary.counts;
    pdf.heading('Keys by status, previous run and this run', 2, 170);
    pdf.figure(`Grouped bar chart of key counts by status, previous run against this run: ${ALL_STATUSES.map((s) => `${STATUS_LABEL[s]} ${trend.previous[s]} then, ${c[s]} now`).join('; ')}.`, 162, (x, y, width) => {
      trendBars(pdf, x, y, width, 150, ALL_STATUSES.map((s) => ({ label: STATUS_LABEL[s], colour: STATUS_COLOUR[s], before: trend.previous[s], now: c[s] })), ['previous run', 'this run']);
    });
    drawTable(
      pdf,
      [{ header: 'Status', weight: 2 }, { header: 'Previous run', weight: 1.5, align: 'right' }, { header: 'This run', weight: 1.5, align: 'right' }, { header: 'Change', weight: 1.5, align: 'right' }],
      ALL_STATUSES.map((s) => [STATUS_LABEL[s], formatInt(trend.previous[s]), formatInt(c[s]), signed(c[s] - trend.previous[s])]),
      { size: SIZE.small },
    );
  }

  if (changes) drawNewlyFailing(pdf, model, changes.counts.newly_failing);
}

function drawNewlyFailing(pdf: Pdf, model: PdfModel, total: number): void {
  if (total === 0) {
    pdf.heading('Newly failing keys', 2);
    pdf.paragraph('No key is newly failing.', { colour: COLOUR.muted });
    return;
  }
  const names = new Map(model.header.coverage.accounts.map((a) => [a.accountId, a.accountName]));
  drawHeadedTable(
    pdf,
    'Newly failing keys',
    [
      // Points of the portrait body width (495): a key id (up to 156 pt in Noto Sans 7.5 pt) fits on one line.
      { header: 'Account', weight: 62 },
      { header: 'Region', weight: 60 },
      { header: 'Key id and aliases', weight: 170 },
      { header: 'Then', weight: 44 },
      { header: 'Reason now', weight: 159 },
    ],
    model.newlyFailing.map((change): Row => {
      const name = names.get(change.accountId);
      return [
        name ? `${change.accountId}\n${name}` : change.accountId,
        change.region,
        [change.keyId, ...change.aliases].join('\n'),
        change.previousStatus ? STATUS_LABEL[change.previousStatus] : '—',
        change.currentReason ?? '',
      ];
    }),
    { maxCellLines: 8, fullTextIn: 'changes.csv' },
  );
  const rest = total - model.newlyFailing.length;
  if (rest > 0) pdf.note(`${plural(rest, 'more newly failing key')} ${rest === 1 ? 'is' : 'are'} not listed here, to keep this document readable: changes.csv lists every one.`);
}

function signed(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : formatInt(n);
}
