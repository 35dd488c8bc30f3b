/** Executive summary: the compliance share, where the failures are, and the trend since the previous run. */
import { ALL_STATUSES, type StatusCounts } from '../../../results/types.js';
import { formatInt, displayUtc, percent, plural } from '../../text.js';
import { donut, horizontalBars, trendBars, type BarItem } from '../charts.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawTable } from '../table.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE, STATUS_COLOUR, STATUS_LABEL } from '../theme.js';

const TOP = 10;

export function drawSummary(pdf: Pdf, model: PdfModel): void {
  const { summary, templates } = model;
  pdf.startSection('Executive summary');
  const c = summary.counts;
  const applicable = summary.applicable;
  const compliant = c.PASS + c.EXCEPTION;
  pdf.paragraph(
    applicable === 0
      ? `${plural(summary.keys, 'key')} found; none is one the rule applies to.`
      : `${formatInt(compliant)} of ${plural(applicable, 'applicable key')} comply (${percent(compliant, applicable)}): ${formatInt(c.PASS)} pass and ${formatInt(c.EXCEPTION)} are covered by an approved exception. ${formatInt(c.FAIL)} fail and ${formatInt(c.ERROR)} could not be checked. ${plural(c.NOT_APPLICABLE, 'further key')} cannot be rotated automatically and are not applicable.`,
    { font: 'bold' },
  );
  if (c.PASS > 0) {
    pdf.paragraph(`Evidence of rotation: ${formatInt(summary.passWithRotationEvidence)} of the ${plural(c.PASS, 'passing key')} have at least one completed rotation on record (ListKeyRotations); the others are younger than their first rotation or have no history.`);
  }
  pdf.blocks(templates.text.summary);

  pdf.heading('Compliance share of applicable keys', 2, 130);
  pdf.figure(`Donut chart: of ${applicable} applicable keys, ${c.PASS} PASS, ${c.EXCEPTION} EXCEPTION, ${c.FAIL} FAIL, ${c.ERROR} ERROR; ${c.NOT_APPLICABLE} not applicable.`, 130, (x, y) => {
    donut(
      pdf, x + 10, y + 4, 118,
      (['PASS', 'EXCEPTION', 'FAIL', 'ERROR'] as const).map((s) => ({ label: STATUS_LABEL[s], value: c[s], colour: STATUS_COLOUR[s] })),
      [percent(compliant, applicable), 'comply'],
      [`${formatInt(c.NOT_APPLICABLE)} keys not applicable (not in the chart)`, `${formatInt(summary.keys)} keys in total`],
    );
  });

  pdf.heading('Control status by framework', 2);
  drawTable(
    pdf,
    [{ header: 'Framework', weight: 4 }, { header: 'Controls', weight: 3 }, { header: 'Status', weight: 1.6 }, { header: 'Basis', weight: 4.5 }],
    model.selection.frameworks.map((f) => {
      const line = model.controls.find((l) => l.framework === f);
      const status = line?.assessment.status ?? 'not assessed';
      return [f.versionLabel, f.controls.map((x) => x.id).join(', '), { text: status, colour: CONTROL_STATUS_COLOUR[status], font: 'bold' as const }, line?.assessment.basis ?? ''];
    }),
    { size: SIZE.small },
  );

  drawFailingBy(pdf, 'Failing and error keys by account', ['account', 'accounts'], [...summary.byAccount.entries()].map(([id, a]) => ({ label: a.label === id ? id : `${a.label} (${id})`, counts: a.counts })));
  if (summary.byOu.size > 1) drawFailingBy(pdf, 'Failing and error keys by organizational unit', ['OU', 'OUs'], [...summary.byOu.entries()].map(([ou, counts]) => ({ label: ou, counts })));

  const trend = model.trend;
  pdf.heading('Trend against the previous run', 2, trend ? 190 : 20);
  if (!trend) {
    if (model.changes) drawChanges(pdf, model);
    else pdf.paragraph('No previous run was given (report --previous OLD-results.json adds this comparison).', { colour: COLOUR.muted });
    return;
  }
  pdf.paragraph(
    model.changes
      ? `Previous run ${trend.scanId} (snapshot ${displayUtc(trend.finishedAt)}) against this run.`
      : `Previous run ${trend.scanId} (snapshot ${displayUtc(trend.finishedAt)}) against this run. Since then: ${plural(trend.newlyFailing, 'key')} newly failing, ${plural(trend.resolved, 'previously failing key')} no longer failing, ${plural(trend.stillFailing, 'key')} still failing.`,
  );
  pdf.figure(`Bar chart of key counts by status, previous run against this run: ${ALL_STATUSES.map((s) => `${s} ${trend.previous[s]} then, ${c[s]} now`).join('; ')}.`, 150, (x, y, width) => {
    trendBars(pdf, x, y, width, 140, ALL_STATUSES.map((s) => ({ label: STATUS_LABEL[s], colour: STATUS_COLOUR[s], before: trend.previous[s], now: c[s] })));
  });
  pdf.paragraph('Light bars: previous run. Full colour: this run.', { size: SIZE.small, colour: COLOUR.muted });
  drawTable(
    pdf,
    [{ header: 'Status', weight: 2 }, { header: 'Previous run', weight: 1.5, align: 'right' }, { header: 'This run', weight: 1.5, align: 'right' }, { header: 'Change', weight: 1.5, align: 'right' }],
    ALL_STATUSES.map((s) => [STATUS_LABEL[s], formatInt(trend.previous[s]), formatInt(c[s]), signed(c[s] - trend.previous[s])]),
    { size: SIZE.small },
  );
  if (model.changes) drawChanges(pdf, model);
}

const CHANGE_LABELS: Record<string, string> = {
  newly_failing: 'Newly failing (FAIL now, not FAIL then)',
  fixed: 'Fixed (FAIL then, PASS now)',
  new: 'New keys',
  gone: 'Keys gone (deleted since)',
  not_assessed: 'Not assessed now (account or region not scanned this time)',
  status_changed: 'Other status changes',
};

function drawChanges(pdf: Pdf, model: PdfModel): void {
  const changes = model.changes!;
  pdf.paragraph(`Key by key against run ${changes.previousScanId} (snapshot ${displayUtc(changes.previousFinishedAt)}); changes.csv lists each changed key.`);
  drawTable(
    pdf,
    [{ header: 'Change', weight: 5 }, { header: 'Keys', weight: 1, align: 'right' }],
    Object.entries(changes.counts).map(([kind, n]) => [CHANGE_LABELS[kind] ?? kind, formatInt(n)]),
    { size: SIZE.small },
  );
}

function signed(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : formatInt(n);
}

function drawFailingBy(pdf: Pdf, title: string, noun: [string, string], groups: { label: string; counts: StatusCounts }[]): void {
  const failing = groups
    .map((g) => ({ ...g, total: g.counts.FAIL + g.counts.ERROR }))
    .filter((g) => g.total > 0)
    .sort((a, b) => b.total - a.total || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  pdf.heading(title, 2, Math.min(TOP, Math.max(1, failing.length)) * 15 + 8);
  if (failing.length === 0) {
    pdf.paragraph('No key failed and no key was in error.', { colour: COLOUR.muted });
    return;
  }
  const shown = failing.slice(0, TOP);
  const items: BarItem[] = shown.map((g) => ({
    label: g.label,
    segments: [
      { label: 'FAIL', value: g.counts.FAIL, colour: STATUS_COLOUR.FAIL },
      { label: 'ERROR', value: g.counts.ERROR, colour: STATUS_COLOUR.ERROR },
    ],
  }));
  const rest = failing.slice(TOP);
  const height = shown.length * 15 + 8;
  pdf.figure(`${title}: ${shown.map((g) => `${g.label}: ${g.counts.FAIL} FAIL, ${g.counts.ERROR} ERROR`).join('; ')}.`, height, (x, y, width) => {
    horizontalBars(pdf, x, y, width, items);
  });
  const note = [`Red: FAIL; purple: ERROR. Top ${Math.min(TOP, failing.length)} of ${failing.length}.`];
  if (rest.length) note.push(`${plural(rest.length, `other ${noun[0]}`, `other ${noun[1]}`)} ${rest.length === 1 ? 'has' : 'have'} ${plural(rest.reduce((s, g) => s + g.total, 0), 'failing or error key')}.`);
  pdf.paragraph(note.join(' '), { size: SIZE.small, colour: COLOUR.muted });
}
