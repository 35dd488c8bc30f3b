/** One section per selected framework: its controls, status, counts, what the check verifies, sources. */
import { relative } from 'node:path';
import type { SelectedFramework } from '../../../frameworks/index.js';
import { packageRoot } from '../../../io/paths.js';
import type { ControlLine } from '../../controls.js';
import { formatInt } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawTable } from '../table.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE } from '../theme.js';

const CONFIDENCE_TEXT = {
  high: 'high: published by AWS or carried consistently by several public tools',
  medium: 'medium: carried by tools or a successor requirement, not confirmed against the publication',
  low: 'low: one public source',
  interpretive: 'interpretive: this tool\'s reading of a principles-based standard; no mapping is published by its owner',
} as const;

export function drawFrameworks(pdf: Pdf, model: PdfModel): void {
  const parent = pdf.startSection('Control mapping');
  pdf.blocks(model.templates.text.frameworks);
  if (model.controls.length === 0) {
    pdf.paragraph('No framework was selected.', { colour: COLOUR.muted });
    return;
  }
  drawControlOverview(pdf, model.controls);
  model.selection.frameworks.forEach((framework) => {
    pdf.startSection(sectionTitle(framework), { newPage: false, outlineParent: parent });
    const lines = model.controls.filter((l) => l.framework === framework);
    drawFrameworkFacts(pdf, framework);
    drawControlCounts(pdf, lines);
    for (const line of lines) drawControlDetail(pdf, line);
    drawFrameworkNotes(pdf, framework);
  });
}

/** Every control of every selected framework in one table, with its status. */
function drawControlOverview(pdf: Pdf, controls: readonly ControlLine[]): void {
  drawTable(
    pdf,
    [{ header: 'Framework', weight: 3.2 }, { header: 'Control', weight: 1.4 }, { header: 'Title', weight: 4.2 }, { header: 'Status', weight: 1.5 }, { header: 'Mapping confidence', weight: 1.7 }],
    controls.map(({ framework, control, assessment }) => [
      framework.versionLabel,
      { text: control.id, font: 'bold' as const },
      control.title,
      { text: assessment.status, colour: CONTROL_STATUS_COLOUR[assessment.status], font: 'bold' as const },
      control.confidence,
    ]),
    { size: SIZE.small },
  );
}

function drawFrameworkFacts(pdf: Pdf, framework: SelectedFramework): void {
  pdf.keyValues([
    ['Framework', `${framework.name}${framework.publisher ? ` (${framework.publisher})` : ''}`],
    ['Version', `${framework.versionLabel}${framework.availableVersions.length > 1 ? ` (versions carried: ${framework.availableVersions.join(', ')})` : ''}`],
    ['Rule', framework.rule],
    ['Mapping data', framework.files.map(displayPath).join('; ')],
  ], 110, SIZE.small + 0.5);
}

/** The framework's controls with their status and the counts of keys by status. */
function drawControlCounts(pdf: Pdf, lines: readonly ControlLine[]): void {
  drawTable(
    pdf,
    [
      { header: 'Control', weight: 1.3 },
      { header: 'Title', weight: 4.2 },
      { header: 'Status', weight: 1.4 },
      { header: 'PASS', weight: 0.8, align: 'right' },
      { header: 'FAIL', weight: 0.8, align: 'right' },
      { header: 'EXC.', weight: 0.8, align: 'right' },
      { header: 'ERROR', weight: 0.9, align: 'right' },
      { header: 'N/A', weight: 0.8, align: 'right' },
    ],
    lines.map(({ control, counts, assessment }) => [
      { text: control.id, font: 'bold' as const },
      control.title,
      { text: assessment.status, colour: CONTROL_STATUS_COLOUR[assessment.status], font: 'bold' as const },
      formatInt(counts.PASS),
      formatInt(counts.FAIL),
      formatInt(counts.EXCEPTION),
      formatInt(counts.ERROR),
      formatInt(counts.NOT_APPLICABLE),
    ]),
    { size: SIZE.small },
  );
}

/** One control: what the check verifies, its status and basis, the mapping's confidence and source. */
function drawControlDetail(pdf: Pdf, { control, assessment }: ControlLine): void {
  pdf.heading(`${control.id}  ${control.title}`, 3);
  const rows: [string, string][] = [];
  if (control.section) rows.push(['Section', control.section]);
  if (control.attributes) rows.push(['Attributes', Object.entries(control.attributes).map(([k, v]) => `${k}: ${v}`).join('; ')]);
  rows.push(['What the check verifies', control.verifies]);
  rows.push(['Status', `${assessment.status}: ${assessment.basis}`]);
  rows.push(['Mapping confidence', CONFIDENCE_TEXT[control.confidence]]);
  rows.push(['Source', control.source]);
  if (control.guidance) rows.push(['Related guidance', control.guidance]);
  if (control.note) rows.push(['Note', control.note]);
  pdf.keyValues(rows, 130, SIZE.small + 0.5);
}

function drawFrameworkNotes(pdf: Pdf, framework: SelectedFramework): void {
  for (const note of framework.notes) pdf.paragraph(note, { size: SIZE.small + 0.5, colour: COLOUR.muted });
  if (framework.confidence === 'interpretive' || framework.confidence === 'low') {
    pdf.note(`The mapping of rule ${framework.rule} to ${framework.shortName} is interpretive: ${framework.publisher ?? 'the standard\'s owner'} publishes no mapping to this check. It records how this report reads the standard; confirm it with your compliance function before relying on it.`);
  }
}

function sectionTitle(framework: { shortName: string; versionLabel: string }): string {
  return framework.versionLabel.startsWith(framework.shortName) ? framework.versionLabel : `${framework.shortName}: ${framework.versionLabel}`;
}

function displayPath(file: string): string {
  const rel = relative(packageRoot, file);
  return rel.startsWith('..') ? file : rel;
}
