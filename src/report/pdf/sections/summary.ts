/** Executive summary: the compliance share, where the failures are, and a pointer to the changes since the previous run. */
import type { StatusCounts } from '../../../results/types.js';
import { formatInt, percent, plural } from '../../text.js';
import { donut, horizontalBars, type BarItem } from '../charts.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable } from '../table.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE, STATUS_COLOUR, STATUS_LABEL } from '../theme.js';
import { changesTitle } from './changes.js';

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

  drawHeadedTable(
    pdf,
    'Control status by framework',
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

  pdf.heading('Trend against the previous run', 2, 30);
  pdf.paragraph(trendSentence(model), model.changes || model.trend ? {} : { colour: COLOUR.muted });
}

/** One sentence: the headline changes and where the "Changes since" section is. */
function trendSentence(model: PdfModel): string {
  const title = changesTitle(model);
  if (!title) return 'No previous run was given (report --previous OLD-results.json adds this comparison).';
  const counts = model.changes?.counts;
  const headline = counts
    ? `${plural(counts.newly_failing, 'key')} newly failing, ${formatInt(counts.fixed)} fixed, ${formatInt(counts.new)} new and ${formatInt(counts.gone)} gone`
    : `${formatInt(model.summary.counts.FAIL)} keys FAIL now, ${formatInt(model.trend!.previous.FAIL)} then`;
  return `Since the previous run (scan ${model.changes?.previousScanId ?? model.trend!.scanId}): ${headline}; the section “${title}” gives every count, the chart by status and the newly failing keys.`;
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
