/// <reference types="pdfkit" />
/**
 * Our own table drawer (pdfkit's doc.table() neither repeats headers nor wraps rows across pages, and
 * cuts overflowing text with an ellipsis). Every cell wraps, long unbroken strings included; the header
 * row repeats on each page; a row never straddles a page; a cell longer than `maxCellLines` is cut with
 * an explicit statement pointing to the full text, never silently.
 */
import { pdfText, pdfTextLines } from '../text.js';
import type { Pdf } from './layout.js';
import { COLOUR, SIZE, type FontName } from './theme.js';

export interface Column {
  header: string;
  /** Share of the table width (normalised over all columns). */
  weight: number;
  font?: FontName;
  align?: 'left' | 'right' | 'center';
}

export interface Cell {
  text: string;
  colour?: string;
  font?: FontName;
}

export type Row = readonly (string | Cell)[];

export interface TableStyle {
  size?: number;
  padding?: number;
  maxCellLines?: number;
  /** Where the full text of a cut cell can be read. */
  fullTextIn?: string;
}

export function drawTable(pdf: Pdf, columns: readonly Column[], rows: Iterable<Row>, style: TableStyle = {}): void {
  const size = style.size ?? SIZE.table;
  const pad = style.padding ?? 3;
  const maxLines = style.maxCellLines ?? 12;
  const cutNote = ` […cut here; full text in ${style.fullTextIn ?? 'findings.csv'}]`;
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * pdf.width);
  const xs = widths.map((_, i) => pdf.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const lineHeight = pdf.measure('Mg', 'body', size, 1000);
  const maxTextHeight = lineHeight * maxLines + 0.5;

  // Attached to the section before its rows are added, so that each cell's closure runs (draws) as it is added.
  const table = pdf.doc.struct('Table');
  pdf.attach(table);

  const drawHeader = (): void => {
    const cells = columns.map((c, i) => ({ text: pdfText(c.header), width: widths[i]! - 2 * pad }));
    const height = Math.max(...cells.map((c) => pdf.measure(c.text, 'bold', size, c.width))) + 2 * pad;
    pdf.ensure(height + lineHeight + 2 * pad);
    const y = pdf.y;
    pdf.artifact(() => pdf.doc.rect(pdf.left, y, pdf.width, height).fill(COLOUR.headerFill));
    const tr = pdf.doc.struct('TR');
    table.add(tr);
    cells.forEach((cell, i) => {
      tr.add(
        pdf.doc.struct('TH', {}, [
          () => {
            pdf.use('bold', size);
            pdf.text(cell.text, xs[i]! + pad, y + pad, { width: cell.width, align: columns[i]!.align ?? 'left' });
          },
        ]),
      );
    });
    tr.end();
    pdf.y = y + height;
  };

  drawHeader();
  let zebra = false;
  for (const row of rows) {
    const cells = row.map((raw, i) => {
      const cell = typeof raw === 'string' ? { text: raw } : raw;
      const font = cell.font ?? columns[i]!.font ?? 'body';
      const width = widths[i]! - 2 * pad;
      let text = pdfTextLines(cell.text);
      let height = pdf.measure(text, font, size, width);
      if (height > maxTextHeight) {
        text = cutToFit(pdf, text, cutNote, font, size, width, maxTextHeight);
        height = pdf.measure(text, font, size, width);
      }
      return { text, font, width, height, colour: cell.colour };
    });
    const rowHeight = Math.max(lineHeight, ...cells.map((c) => c.height)) + 2 * pad;
    if (pdf.y + rowHeight > pdf.bottom) {
      pdf.addPage();
      drawHeader();
    }
    const y = pdf.y;
    if (zebra) pdf.artifact(() => pdf.doc.rect(pdf.left, y, pdf.width, rowHeight).fill(COLOUR.zebra));
    zebra = !zebra;
    const tr = pdf.doc.struct('TR');
    table.add(tr);
    cells.forEach((cell, i) => {
      tr.add(
        pdf.doc.struct('TD', {}, [
          () => {
            pdf.use(cell.font, size, cell.colour ?? COLOUR.text);
            pdf.text(cell.text, xs[i]! + pad, y + pad, { width: cell.width, align: columns[i]!.align ?? 'left' });
          },
        ]),
      );
    });
    tr.end();
    pdf.y = y + rowHeight;
  }
  const endY = pdf.y;
  pdf.artifact(() => pdf.doc.moveTo(pdf.left, endY).lineTo(pdf.right, endY).lineWidth(0.5).strokeColor(COLOUR.rule).stroke());
  table.end();
  pdf.y = endY + 8;
}

/** The longest prefix of `text` that, followed by `note`, fits in `maxHeight`. */
function cutToFit(pdf: Pdf, text: string, note: string, font: FontName, size: number, width: number, maxHeight: number): string {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (pdf.measure(text.slice(0, mid) + note, font, size, width) <= maxHeight) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + note;
}
