/// <reference types="pdfkit" />
/**
 * Our own table drawer (pdfkit's doc.table() neither repeats headers nor wraps rows across pages, and
 * cuts overflowing text with an ellipsis). Every cell wraps, long unbroken strings included; the header
 * row repeats on each page; a row never straddles a page; a cell longer than `maxCellLines` is cut with
 * an explicit statement pointing to the full text, never silently.
 */
import { pdfText, pdfTextLines } from '../../core/text.js';
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

interface Layout {
  size: number;
  pad: number;
  widths: number[];
  xs: number[];
  lineHeight: number;
  maxTextHeight: number;
  cutNote: string;
}

interface PreparedCell {
  text: string;
  font: FontName;
  width: number;
  height: number;
  colour: string | undefined;
}

function layout(pdf: Pdf, columns: readonly Column[], style: TableStyle): Layout {
  const size = style.size ?? SIZE.table;
  const pad = style.padding ?? 3;
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * pdf.width);
  const lineHeight = pdf.measure('Mg', 'body', size, 1000);
  return {
    size,
    pad,
    widths,
    xs: widths.map((_, i) => pdf.left + widths.slice(0, i).reduce((s, w) => s + w, 0)),
    lineHeight,
    maxTextHeight: lineHeight * (style.maxCellLines ?? 12) + 0.5,
    cutNote: ` […cut here; full text in ${style.fullTextIn ?? 'findings.csv'}]`,
  };
}

function headerHeight(pdf: Pdf, columns: readonly Column[], l: Layout): number {
  return Math.max(...columns.map((c, i) => pdf.measure(pdfText(c.header), 'bold', l.size, l.widths[i]! - 2 * l.pad))) + 2 * l.pad;
}

/** Most characters of one table cell laid out (a cell is at most a few hundred characters high and wide). */
export const MAX_CELL_CHARS = 2000;

/** Wraps (and if need be cuts) every cell of a row; the row's height. */
function prepareRow(pdf: Pdf, columns: readonly Column[], l: Layout, row: Row): { cells: PreparedCell[]; height: number } {
  const cells = row.map((raw, i): PreparedCell => {
    const cell = typeof raw === 'string' ? { text: raw } : raw;
    const font = cell.font ?? columns[i]!.font ?? 'body';
    const width = l.widths[i]! - 2 * l.pad;
    let text = pdfTextLines(cell.text);
    // Layout work per cell is bounded: no cell shows more than MAX_CELL_CHARS, whatever it was given.
    if (text.length > MAX_CELL_CHARS) text = text.slice(0, MAX_CELL_CHARS) + l.cutNote;
    let height = pdf.measure(text, font, l.size, width);
    if (height > l.maxTextHeight) {
      text = cutToFit(pdf, text, l.cutNote, font, l.size, width, l.maxTextHeight);
      height = pdf.measure(text, font, l.size, width);
    }
    return { text, font, width, height, colour: cell.colour };
  });
  return { cells, height: Math.max(l.lineHeight, ...cells.map((c) => c.height)) + 2 * l.pad };
}

/**
 * What a heading above the table keeps on its page: the whole table when it is at most `cap` high (a short
 * table then moves to the next page with its heading rather than leaving a row or two behind), else its
 * header and first three rows.
 */
export function tableLead(pdf: Pdf, columns: readonly Column[], rows: readonly Row[], style: TableStyle = {}, cap = 200): number {
  const l = layout(pdf, columns, style);
  let height = headerHeight(pdf, columns, l) + 8;
  let lead = height;
  for (const [i, row] of rows.entries()) {
    height += prepareRow(pdf, columns, l, row).height;
    if (i < 3) lead = height;
    if (height > cap) return lead;
  }
  return height;
}

export function drawTable(pdf: Pdf, columns: readonly Column[], rows: Iterable<Row>, style: TableStyle = {}): void {
  const l = layout(pdf, columns, style);
  // Attached to the section before its rows are added, so that each cell's closure runs (draws) as it is added.
  const table = pdf.doc.struct('Table');
  pdf.attach(table);
  drawHeaderRow(pdf, table, columns, l);
  let zebra = false;
  for (const row of rows) {
    const { cells, height } = prepareRow(pdf, columns, l, row);
    if (pdf.y + height > pdf.bottom) {
      pdf.addPage();
      drawHeaderRow(pdf, table, columns, l);
    }
    drawBodyRow(pdf, table, columns, l, cells, height, zebra);
    zebra = !zebra;
  }
  const endY = pdf.y;
  pdf.artifact(() => pdf.doc.moveTo(pdf.left, endY).lineTo(pdf.right, endY).lineWidth(0.5).strokeColor(COLOUR.rule).stroke());
  table.end();
  pdf.y = endY + 8;
}

/** The header row, on its fill: at the top of the table and again on each page it continues on. */
function drawHeaderRow(pdf: Pdf, table: PDFKit.PDFStructureElement, columns: readonly Column[], l: Layout): void {
  const cells = columns.map((c, i) => ({ text: pdfText(c.header), width: l.widths[i]! - 2 * l.pad }));
  const height = headerHeight(pdf, columns, l);
  pdf.ensure(height + l.lineHeight + 2 * l.pad);
  const y = pdf.y;
  pdf.artifact(() => pdf.doc.rect(pdf.left, y, pdf.width, height).fill(COLOUR.headerFill));
  addRow(pdf, table, 'TH', cells.map((cell, i) => () => {
    pdf.use('bold', l.size);
    pdf.text(cell.text, l.xs[i]! + l.pad, y + l.pad, { width: cell.width, align: columns[i]!.align ?? 'left' });
  }));
  pdf.y = y + height;
}

/** One row of prepared cells at the current position (on a zebra stripe every other row). */
function drawBodyRow(pdf: Pdf, table: PDFKit.PDFStructureElement, columns: readonly Column[], l: Layout, cells: readonly PreparedCell[], height: number, zebra: boolean): void {
  const y = pdf.y;
  if (zebra) pdf.artifact(() => pdf.doc.rect(pdf.left, y, pdf.width, height).fill(COLOUR.zebra));
  addRow(pdf, table, 'TD', cells.map((cell, i) => () => {
    pdf.use(cell.font, l.size, cell.colour ?? COLOUR.text);
    pdf.text(cell.text, l.xs[i]! + l.pad, y + l.pad, { width: cell.width, align: columns[i]!.align ?? 'left' });
  }));
  pdf.y = y + height;
}

/** A tagged row (TR) of the table: one TH or TD element per cell, each drawn by its closure as it is added. */
function addRow(pdf: Pdf, table: PDFKit.PDFStructureElement, kind: 'TH' | 'TD', draws: (() => void)[]): void {
  const tr = pdf.doc.struct('TR');
  table.add(tr);
  for (const draw of draws) tr.add(pdf.doc.struct(kind, {}, [draw]));
  tr.end();
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

/**
 * A sub-heading and its table: a table up to half a page long starts on the page of its heading and is not
 * split; a longer one keeps its header and first rows with the heading.
 */
export function drawHeadedTable(pdf: Pdf, heading: string, columns: readonly Column[], rows: readonly Row[], style: TableStyle = {}): void {
  pdf.heading(heading, 2, tableLead(pdf, columns, rows, style, pdf.pageBody / 2));
  drawTable(pdf, columns, rows, style);
}
