/**
 * Executive summary. It opens with the coverage verdict (complete or not, and what was not assessed),
 * then the population, then compliance (multi-Region replicas counted with their primary), what the
 * rule does not judge (AWS managed keys: rotated by AWS), each control's status with its basis and
 * mapping confidence, where the failures are (by account; failing rate per OU, rolled up), and the
 * trend (the runs of the reporting period when one is configured, else the previous run).
 */
import type { StatusCounts } from '../../../core/results.js';
import { notAssessed } from '../../coverage.js';
import { displayUtc, formatInt, percent, plural } from '../../../core/text.js';
import { donut, horizontalBars, rateBars, trendLine, type BarItem } from '../charts.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable, drawTable } from '../table.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE, STATUS_COLOUR, STATUS_LABEL } from '../theme.js';
import { changesTitle } from './changes.js';

const TOP = 10;
/** OUs drawn in the rolled-up chart at most (deeper levels are dropped first). */
const MAX_OU_ROWS = 24;

export function drawSummary(pdf: Pdf, model: PdfModel): void {
  const { summary, templates } = model;
  pdf.startSection('Executive summary');
  pdf.paragraph(coverageSentence(model), { font: 'bold', colour: notAssessed(model.coverage, summary.counts).length ? STATUS_COLOUR.ERROR : COLOUR.text });
  pdf.paragraph(populationSentence(model));
  pdf.paragraph(complianceSentence(model), { font: 'bold' });
  pdf.paragraph(outsideRuleSentence(model));
  const c = summary.counts;
  // Without the runs of a reporting period, the trend is one sentence here, not a section of its own.
  if (!(model.period && model.period.runs.length > 0)) pdf.paragraph(`Trend against the previous run: ${trendSentence(model)}${model.period ? ` No other finished run of the reporting period ${model.period.period.label} is in the reports root.` : ''}`);
  if (c.PASS > 0) {
    pdf.paragraph(`Evidence of rotation: ${formatInt(summary.passWithRotationEvidence)} of the ${plural(c.PASS, 'passing key')} have at least one completed rotation on record (ListKeyRotations); the others are younger than their first rotation or have no history.`);
  }
  pdf.blocks(templates.text.summary);

  const s = summary.setCounts;
  const applicable = summary.applicableSets;
  pdf.heading('Compliance share of keys under the rule', 2, 130);
  pdf.figure(`Donut chart: of ${applicable} keys under the rule (multi-Region replicas counted with their primary), ${s.PASS} PASS, ${s.EXCEPTION} EXCEPTION, ${s.FAIL} FAIL, ${s.ERROR} ERROR; ${s.NOT_APPLICABLE} not applicable.`, 130, (x, y) => {
    donut(
      pdf, x + 10, y + 4, 118,
      (['PASS', 'EXCEPTION', 'FAIL', 'ERROR'] as const).map((st) => ({ label: STATUS_LABEL[st], value: s[st], colour: STATUS_COLOUR[st] })),
      [percent(s.PASS + s.EXCEPTION, applicable), 'comply'],
      [
        ...(summary.replicasCounted ? [`${plural(summary.replicasCounted, 'multi-Region replica')} counted with their primary`] : []),
        `${formatInt(summary.awsManaged)} AWS managed keys (rotated by AWS) and`,
        `${formatInt(s.NOT_APPLICABLE - summary.awsManaged)} other keys not applicable: not in the chart`,
      ],
    );
  });

  drawControls(pdf, model);
  drawFailingBy(pdf, 'Failing and error keys by account', ['account', 'accounts'], [...summary.byAccount.entries()].map(([id, a]) => ({ label: a.label === id ? id : `${a.label} (${id})`, counts: a.counts })));
  drawOuRates(pdf, model);
  drawTrend(pdf, model);
}

/** "Coverage: INCOMPLETE. Not assessed: …" or "Coverage: complete. …": the first thing the summary says. */
export function coverageSentence(model: PdfModel): string {
  const { coverage, summary } = model;
  const gaps = notAssessed(coverage, summary.counts);
  if (gaps.length === 0) {
    return `Coverage: complete. Every account (${formatInt(coverage.accounts.scanned)} scanned${coverage.accounts.skipped ? `, ${formatInt(coverage.accounts.skipped)} not ACTIVE and skipped` : ''}) and every account-region in scope was assessed, and every key found was checked.`;
  }
  const why = [
    coverage.runComplete ? null : 'what the unfinished run did not reach',
    coverage.accounts.error ? `${plural(coverage.accounts.error, 'account')} that could not be accessed (its regions and keys are unknown)` : null,
    coverage.regions.error ? `${plural(coverage.regions.error, 'account-region')} whose keys could not be listed` : null,
    summary.counts.ERROR ? `${plural(summary.counts.ERROR, 'key')} that could not be checked (ERROR)` : null,
  ].filter((x): x is string => x !== null);
  const unseen = coverage.accounts.error || coverage.regions.error || !coverage.runComplete;
  return `Coverage: INCOMPLETE. Not assessed: ${why.join('; ')}.${unseen ? ' Keys in the accounts and regions not assessed are unknown and appear in no count below;' : ''} the coverage statement and the population appendix list what was not assessed${summary.counts.ERROR ? ', and keys that could not be checked are counted as ERROR' : ''}.`;
}

function populationSentence(model: PdfModel): string {
  const { coverage, summary } = model;
  return `Population: ${plural(coverage.accounts.total, 'account')} in scope (${formatInt(coverage.accounts.scanned)} scanned, ${formatInt(coverage.accounts.error)} not accessible, ${formatInt(coverage.accounts.skipped)} not ACTIVE and skipped), ${plural(coverage.regions.total, 'account-region')} listed in the accessible accounts (${formatInt(coverage.regions.scanned)} scanned, ${formatInt(coverage.regions.notEnabled)} not enabled and not accessible to the scan, ${formatInt(coverage.regions.error)} failed), ${plural(summary.keys, 'key')} found.`;
}

function complianceSentence(model: PdfModel): string {
  const { summary } = model;
  const s = summary.setCounts;
  const r = summary.replicas;
  const applicable = summary.applicableSets;
  if (applicable === 0) return `Compliance: no key found is one the rule applies to.`;
  const compliantReplicas = r.PASS + r.EXCEPTION;
  return (
    `Compliance: ${formatInt(s.PASS + s.EXCEPTION)} of ${plural(applicable, 'key')} under the rule comply (${percent(s.PASS + s.EXCEPTION, applicable)}): ${formatInt(summary.counts.PASS)} pass and ${formatInt(summary.counts.EXCEPTION)} ${summary.counts.EXCEPTION === 1 ? 'is' : 'are'} covered by an approved exception` +
    (compliantReplicas ? `, and ${plural(compliantReplicas, 'multi-Region replica')} share${compliantReplicas === 1 ? 's' : ''} the key material of a compliant primary` : '') +
    `. ${formatInt(summary.counts.FAIL)} fail` +
    (r.FAIL ? `, and ${plural(r.FAIL, 'multi-Region replica')} fail${r.FAIL === 1 ? 's' : ''} through ${r.FAIL === 1 ? 'its' : 'their'} primary (shared key material)` : '') +
    `; ${formatInt(summary.counts.ERROR)} could not be checked.` +
    ownStatusSentence(summary)
  );
}

/** The same share by each key's own status, as the control tables, controls.csv and findings.csv count. */
function ownStatusSentence(summary: PdfModel['summary']): string {
  const r = summary.replicas;
  if (r.PASS + r.EXCEPTION + r.FAIL + r.ERROR === 0) return '';
  const c = summary.counts;
  const own = c.PASS + c.EXCEPTION + c.FAIL + c.ERROR;
  return ` Counted by each key's own status (replicas not applicable), as the control tables, controls.csv and findings.csv count: ${formatInt(c.PASS + c.EXCEPTION)} of ${plural(own, 'key')} comply (${percent(c.PASS + c.EXCEPTION, own)}).`;
}

function outsideRuleSentence(model: PdfModel): string {
  const { summary } = model;
  const other = summary.setCounts.NOT_APPLICABLE - summary.awsManaged;
  return `Not judged by the rule: ${plural(summary.awsManaged, 'AWS managed key')}, rotated by AWS every year (customers cannot change that), and ${plural(other, 'other key')} the rule does not apply to (asymmetric, HMAC and key agreement keys, imported key material, custom key stores, keys pending deletion or import, disabled keys; by cause in the coverage statement).`;
}

function drawControls(pdf: Pdf, model: PdfModel): void {
  const interpretive = model.selection.frameworks.some((f) => f.confidence === 'interpretive' || f.confidence === 'low');
  drawHeadedTable(
    pdf,
    'Control status by framework',
    [{ header: 'Framework', weight: 3.3 }, { header: 'Controls', weight: 2.2 }, { header: 'Status', weight: 1.5 }, { header: 'Basis', weight: 5.2 }, { header: 'Mapping', weight: 1.9 }],
    model.selection.frameworks.map((f) => {
      const line = model.controls.find((l) => l.framework === f);
      const status = line?.assessment.status ?? 'not assessed';
      const mapping = f.confidence === 'interpretive' || f.confidence === 'low' ? { text: `${f.confidence}*`, font: 'bold' as const, colour: STATUS_COLOUR.EXCEPTION } : f.confidence;
      return [f.versionLabel, f.controls.map((x) => x.id).join(', '), { text: status, colour: CONTROL_STATUS_COLOUR[status], font: 'bold' as const }, line?.assessment.basis ?? '', mapping];
    }),
    { size: SIZE.small },
  );
  if (interpretive) {
    pdf.paragraph('* Interpretive (or low-confidence) mapping: this report\'s reading of a principles-based standard whose owner publishes no mapping to this check. The status says what rule KMS-002 found, not that the whole control is met or not met; confirm the mapping with your compliance function (Control mapping section).', { size: SIZE.small, colour: COLOUR.muted });
  }
}

/** Failing rate per OU, each OU with every OU below it, nested by indentation. */
function drawOuRates(pdf: Pdf, model: PdfModel): void {
  let nodes = model.summary.ouTree().filter((node) => applicableOf(node.counts) > 0);
  if (nodes.length <= 1 && model.summary.ous.size <= 1) return;
  const total = nodes.length;
  let depth = Math.max(0, ...nodes.map((n) => n.depth));
  while (nodes.length > MAX_OU_ROWS && depth > 0) {
    depth--;
    nodes = nodes.filter((n) => n.depth <= depth);
  }
  nodes = nodes.slice(0, MAX_OU_ROWS);
  const height = nodes.length * 15 + 8;
  pdf.heading('Failing rate by organizational unit (rolled up)', 2, height + 20);
  const items = nodes.map((node) => ({
    label: node.label,
    indent: node.depth,
    failing: node.counts.FAIL,
    errors: node.counts.ERROR,
    applicable: applicableOf(node.counts),
  }));
  pdf.figure(`Failing rate per organizational unit, each including the OUs below it: ${items.map((i) => `${'  '.repeat(i.indent)}${i.label}: ${i.failing} of ${i.applicable} keys under the rule FAIL (${percent(i.failing, i.applicable)}), ${i.errors} ERROR`).join('; ')}.`, height, (x, y, width) => {
    rateBars(pdf, x, y, width, items, STATUS_COLOUR.FAIL, STATUS_COLOUR.ERROR);
  });
  pdf.paragraph(
    `Each bar is the share of keys under the rule that FAIL (red) or could not be checked (purple) in the OU and every OU below it (nesting shown by indentation); multi-Region replicas are counted with their primary.${total > nodes.length ? ` ${plural(total - nodes.length, 'deeper OU')} not drawn (findings.csv has every key's OU path).` : ''}`,
    { size: SIZE.small, colour: COLOUR.muted },
  );
}

function applicableOf(counts: StatusCounts): number {
  return counts.PASS + counts.FAIL + counts.EXCEPTION + counts.ERROR;
}

/** The runs of the reporting period, with a chart of the failing rate (else the trend is a sentence above). */
function drawTrend(pdf: Pdf, model: PdfModel): void {
  const period = model.period;
  if (period && period.runs.length > 0) {
    // The other runs' counts come from their headers: each key's own status, so this run's too.
    const here = { scanId: model.header.scanId, snapshotAt: model.header.finishedAt, byStatus: model.summary.counts, keys: model.summary.keys, coverageComplete: notAssessed(model.coverage, model.summary.counts).length === 0 };
    const runs = [...period.runs, here];
    const rate = (c: StatusCounts): number => (applicableOf(c) ? c.FAIL / applicableOf(c) : 0);
    // The chart, the table and its note stay together when they fit on a page.
    pdf.heading(`Runs in the reporting period ${period.period.label}`, 2, Math.min(pdf.pageBody - 40, 130 + (runs.length + 1) * 17 + 40));
    pdf.figure(`Line chart of the share of keys under the rule that FAIL, per finished run of the period: ${runs.map((r) => `${displayUtc(r.snapshotAt)} ${percent(r.byStatus.FAIL, applicableOf(r.byStatus))}`).join('; ')}.`, 130, (x, y, width) => {
      trendLine(pdf, x, y, width, 120, runs.map((r) => ({ label: displayUtc(r.snapshotAt).slice(0, 10), value: rate(r.byStatus), text: percent(r.byStatus.FAIL, applicableOf(r.byStatus)) })), STATUS_COLOUR.FAIL);
    });
    drawTable(
      pdf,
      [{ header: 'Snapshot', weight: 2.1 }, { header: 'Scan id', weight: 4.2 }, { header: 'Keys', weight: 0.9, align: 'right' }, { header: 'FAIL', weight: 0.9, align: 'right' }, { header: 'ERROR', weight: 0.9, align: 'right' }, { header: 'FAIL share', weight: 1.2, align: 'right' }, { header: 'Coverage', weight: 1.4 }],
      runs.map((r) => [
        displayUtc(r.snapshotAt),
        r.scanId === model.header.scanId ? { text: `${r.scanId} (this run)`, font: 'bold' as const } : r.scanId,
        formatInt(r.keys),
        formatInt(r.byStatus.FAIL),
        formatInt(r.byStatus.ERROR),
        percent(r.byStatus.FAIL, applicableOf(r.byStatus)),
        r.coverageComplete === null ? 'not recorded' : r.coverageComplete ? 'complete' : 'incomplete',
      ]),
      { size: SIZE.small },
    );
    pdf.paragraph('Each run is a point-in-time test: the series shows the state at each snapshot, not between them. Shares use each key\'s own status as results.json records it (the counts of each run\'s header).', { size: SIZE.small, colour: COLOUR.muted });
  }
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
  const note = [`Keys by their own status. Red: FAIL; purple: ERROR. Top ${Math.min(TOP, failing.length)} of ${failing.length}.`];
  if (rest.length) note.push(`${plural(rest.length, `other ${noun[0]}`, `other ${noun[1]}`)} ${rest.length === 1 ? 'has' : 'have'} ${plural(rest.reduce((s, g) => s + g.total, 0), 'failing or error key')}.`);
  pdf.paragraph(note.join(' '), { size: SIZE.small, colour: COLOUR.muted });
}
