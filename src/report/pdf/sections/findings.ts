/** Failing and error keys, capped so a huge organization still gives a bounded PDF. */
import { formatInt, plural } from '../../../core/text.js';
import type { DetailRow } from '../../summary.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawTable, type Row } from '../table.js';
import { COLOUR, STATUS_COLOUR } from '../theme.js';

export function keyCell(row: DetailRow): string {
  return [row.keyId, ...row.aliases].join('\n');
}

/** The command as a shell would accept it pasted from the PDF: one option per line, `\` continuations. */
function commandCell(parts: readonly string[]): string {
  return parts.join(' \\\n  ');
}

export function accountCell(row: DetailRow): string {
  return row.accountName ? `${row.accountId}\n${row.accountName}` : row.accountId;
}

export function drawFindings(pdf: Pdf, model: PdfModel): void {
  const { summary } = model;
  pdf.startSection('Failing and error keys', { orientation: 'landscape' });
  pdf.blocks(model.templates.text.findings);
  const total = summary.failingTotal;
  if (total === 0) {
    pdf.paragraph('No key failed the rule and no key was in error.', { font: 'bold' });
    return;
  }
  const replicas = summary.replicas.FAIL;
  pdf.paragraph(
    `${plural(summary.counts.FAIL, 'key')} FAIL and ${plural(summary.counts.ERROR, 'key')} ERROR.` +
      (replicas ? ` ${plural(replicas, 'multi-Region replica')} share${replicas === 1 ? 's' : ''} the key material of a failing primary: listed as FAIL through the primary (findings.csv keeps ${replicas === 1 ? 'its' : 'their'} own status, NOT_APPLICABLE), fixed on the primary.` : ''),
    { font: 'bold' },
  );
  drawTable(
    pdf,
    [
      // Weights in points of the landscape body width (742): a key id (36 characters, up to 156 pt in Noto
      // Sans 7.5 pt) and "  --key-id <id> \" in the monospace font (220 pt) each fit on one line.
      { header: 'Account', weight: 70 },
      { header: 'Region', weight: 62 },
      { header: 'Key id and aliases', weight: 170 },
      { header: 'Status and reason', weight: 208 },
      { header: 'Remediation', weight: 232, font: 'mono' },
    ],
    summary.failingRows.map((row): Row => [
      accountCell(row),
      row.region,
      keyCell(row),
      { text: row.throughPrimary ? `FAIL through its primary: ${row.reason}` : `${row.status}: ${row.reason}`, colour: row.status === 'ERROR' ? STATUS_COLOUR.ERROR : COLOUR.text },
      row.status === 'ERROR' || row.throughPrimary ? { text: row.action.join(' '), font: 'body' } : commandCell(row.action),
    ]),
    { maxCellLines: 10 },
  );
  omitted(pdf, total - summary.failingRows.length, 'FAIL or ERROR');
}

export function omitted(pdf: Pdf, count: number, status: string): void {
  if (count <= 0) return;
  pdf.note(`${formatInt(count)} more ${count === 1 ? 'row' : 'rows'} with status ${status} ${count === 1 ? 'is' : 'are'} not listed here, to keep this document readable: see findings.csv (attached to this PDF and in the report folder), which lists every key.`);
}
