/// <reference types="pdfkit" />
/**
 * A thin layout layer over pdfkit: a cursor, page breaks we decide ourselves, section bookmarks and the
 * tag structure (Document → Sect → H1/H2/P/Figure/Table) so the PDF is tagged, and headers/footers drawn
 * as pagination artifacts once the page count is known.
 */
import type { Block, Placeholder } from '../templates.js';
import { fillPlaceholders } from '../templates.js';
import { pdfText, pdfTextLines } from '../../core/text.js';
import { COLOUR, FONT_FILES, PAGE, SIZE, type FontName } from './theme.js';

export type Orientation = 'portrait' | 'landscape';

export interface PageFurniture {
  marking: string;
  markingColour: string;
  headerLeft: string;
  headerRight: string;
  footerLeft: string;
  /** Printed across the top of every page and diagonally over it (a run that is not evidence); null: none. */
  stamp: { band: string; diagonal: string } | null;
}

/** A section as the printed table of contents lists it. */
interface ContentsEntry {
  title: string;
  level: 1 | 2;
  /** 1-based page number. */
  page: number;
}

/** The part of a fontkit font we use (pdfkit exposes it as `doc._font.font`). */
interface GlyphSource {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

const MAX_GLYPH_CACHE = 20_000;

export class Pdf {
  private readonly fonts: GlyphSource[];
  private readonly glyphCache = new Map<number, boolean>();
  private readonly root: PDFKit.PDFStructureElement;
  private section: PDFKit.PDFStructureElement;
  private orientation: Orientation = 'portrait';
  private readonly contentsEntries: ContentsEntry[] = [];
  /** Where the table of contents goes (reserveContents), filled by finish() once every page is known. */
  private contents: { page: number; top: number; section: PDFKit.PDFStructureElement } | null = null;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    readonly accent: string,
    private readonly placeholders: Record<Placeholder, string>,
  ) {
    this.fonts = (Object.keys(FONT_FILES) as FontName[]).map((name) => {
      doc.font(FONT_FILES[name]);
      return (doc as unknown as { _font: { font: GlyphSource } })._font.font;
    });
    doc.font(FONT_FILES.body);
    this.root = doc.struct('Document');
    doc.addStructure(this.root);
    this.section = this.root;
  }

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get right(): number {
    return this.left + this.width;
  }
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }
  get top(): number {
    return this.doc.page.margins.top;
  }
  get y(): number {
    return this.doc.y;
  }
  set y(value: number) {
    this.doc.y = value;
  }
  /** Usable height of a fresh page. */
  get pageBody(): number {
    return this.bottom - this.top;
  }

  addPage(orientation: Orientation = this.orientation): void {
    this.orientation = orientation;
    this.doc.addPage({ size: PAGE.size, layout: orientation, margins: PAGE.margins });
  }

  /** Starts a new page when `height` does not fit below the cursor; true when it did. */
  ensure(height: number): boolean {
    if (this.y + height <= this.bottom) return false;
    this.addPage();
    return true;
  }

  use(font: FontName, size: number, colour: string = COLOUR.text): this {
    this.doc.font(FONT_FILES[font]).fontSize(size).fillColor(colour);
    return this;
  }

  /**
   * Text as drawn: control characters replaced (see pdfTextLines), and characters the embedded fonts lack
   * written as `[U+XXXX]`: visible and exact, where a missing glyph would print an empty box (and a
   * .notdef reference is not allowed in PDF/A).
   */
  displayable(value: string): string {
    const clean = pdfTextLines(value);
    if (/^[\n\x20-\x7E]*$/.test(clean)) return clean;
    let out = '';
    for (const ch of clean) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x7f) {
        out += ch;
        continue;
      }
      let ok = this.glyphCache.get(cp);
      if (ok === undefined) {
        ok = this.fonts.every((f) => f.hasGlyphForCodePoint(cp));
        if (this.glyphCache.size < MAX_GLYPH_CACHE) this.glyphCache.set(cp, ok);
      }
      out += ok ? ch : `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
    }
    return out;
  }

  /** Every string drawn goes through here. */
  text(value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}): void {
    this.doc.text(this.displayable(value), x, y, options);
  }

  measure(text: string, font: FontName, size: number, width: number, lineGap = 0): number {
    this.use(font, size);
    return this.doc.heightOfString(this.displayable(text), { width, lineGap });
  }

  /** Content under the current section's tag structure. */
  tag(type: string, draw: () => void, options: PDFKit.Mixins.StructureElementOptions = {}): void {
    this.section.add(this.doc.struct(type, options, [draw]));
  }

  /** Adds a structure element (e.g. a Table) to the current section. */
  attach(element: PDFKit.PDFStructureElement): void {
    this.section.add(element);
  }

  /** Decoration (rules, fills) that is not content. */
  artifact(draw: () => void): void {
    this.doc.markContent('Artifact');
    draw();
    this.doc.endMarkedContent();
  }

  /** A bookmarked section: new page (unless `newPage: false`), outline item, Sect tag, H1. */
  /** Returns the section's bookmark, under which `opts.outlineParent` nests sub-sections. */
  startSection(title: string, opts: { orientation?: Orientation; newPage?: boolean; heading?: boolean; outlineParent?: PDFKit.PDFOutline } = {}): PDFKit.PDFOutline {
    this.endSection();
    if (opts.newPage === false) this.ensure(180);
    else this.addPage(opts.orientation ?? 'portrait');
    const bookmark = (opts.outlineParent ?? this.doc.outline).addItem(pdfText(title), { expanded: true });
    this.contentsEntries.push({ title: pdfText(title), level: opts.outlineParent ? 2 : 1, page: this.doc.bufferedPageRange().count });
    this.section = this.doc.struct('Sect', { title: pdfText(title) });
    this.root.add(this.section);
    if (opts.heading !== false) this.heading(title, 1);
    return bookmark;
  }

  endSection(): void {
    // The section holding the table of contents stays open: its entries are added by finish().
    if (this.section !== this.root && this.section !== this.contents?.section) this.section.end();
    this.section = this.root;
  }

  /** The rest of the current page holds the table of contents, written by finish() with every section's page. */
  reserveContents(): void {
    this.contents = { page: this.doc.bufferedPageRange().count, top: this.y, section: this.section };
    this.y = this.bottom;
  }

  /** `keepWith`: height of what must follow on the same page (a chart, the first table rows). */
  heading(text: string, level: 1 | 2 | 3, keepWith = 40): void {
    const size = level === 1 ? SIZE.h1 : level === 2 ? SIZE.h2 : SIZE.h3;
    const value = pdfText(text);
    const height = this.measure(value, 'bold', size, this.width);
    this.ensure(height + (level === 1 ? 16 : keepWith + 12)); // keep a heading with what follows it
    if (level > 1) this.y += level === 2 ? 8 : 4;
    const y = this.y;
    this.tag(`H${level}`, () => {
      this.use('bold', size, level === 3 ? COLOUR.text : this.accent);
      this.text(value, this.left, y, { width: this.width });
    });
    if (level === 1) {
      const ruleY = this.y + 3;
      this.artifact(() => this.doc.moveTo(this.left, ruleY).lineTo(this.right, ruleY).lineWidth(1).strokeColor(this.accent).stroke());
      this.y = ruleY + 10;
    } else {
      this.y += 4;
    }
  }

  paragraph(text: string, opts: { font?: FontName; size?: number; colour?: string; gap?: number; indent?: number } = {}): void {
    const font = opts.font ?? 'body';
    const size = opts.size ?? SIZE.body;
    const indent = opts.indent ?? 0;
    const value = pdfText(text);
    const width = this.width - indent;
    const height = this.measure(value, font, size, width, 1.5);
    this.ensure(Math.min(height, size * 3.6));
    const y = this.y;
    this.tag('P', () => {
      this.use(font, size, opts.colour ?? COLOUR.text);
      this.text(value, this.left + indent, y, { width, lineGap: 1.5 });
    });
    this.y += opts.gap ?? 6;
  }

  bullets(items: readonly string[], opts: { size?: number } = {}): void {
    const size = opts.size ?? SIZE.body;
    for (const item of items) {
      const value = pdfText(item);
      const height = this.measure(value, 'body', size, this.width - 14, 1.5);
      this.ensure(Math.min(height, size * 3.6));
      const y = this.y;
      this.tag('P', () => {
        this.use('body', size, this.accent);
        this.text('•', this.left + 3, y, { lineBreak: false });
        this.use('body', size);
        this.text(value, this.left + 14, y, { width: this.width - 14, lineGap: 1.5 });
      });
      this.y += 3;
    }
    this.y += 3;
  }

  /** Monospace text kept as written: kept on one page when it fits on one, else split line by line. */
  code(text: string): void {
    const lines = this.codeLines(text);
    const lineHeight = this.measure('M', 'mono', SIZE.table, this.width) + 1;
    const whole = this.codeHeight(lines);
    if (whole <= this.pageBody / 2) this.ensure(whole);
    let i = 0;
    while (i < lines.length) {
      this.ensure(lineHeight * Math.min(3, lines.length - i) + 12);
      const fit = Math.max(1, Math.floor((this.bottom - this.y - 12) / lineHeight));
      const chunk = lines.slice(i, i + fit);
      i += chunk.length;
      const body = chunk.join('\n');
      const height = this.measure(body, 'mono', SIZE.table, this.width - 16, 1);
      const top = this.y;
      this.artifact(() => this.doc.rect(this.left, top, this.width, height + 10).fill(COLOUR.codeFill));
      this.tag('Code', () => {
        this.use('mono', SIZE.table);
        this.text(body, this.left + 8, top + 5, { width: this.width - 16, lineGap: 1 });
      });
      this.y = top + height + 16;
    }
  }

  private codeLines(text: string): string[] {
    return text.replace(/\t/g, '    ').split('\n').map((l) => pdfText(l) || ' ');
  }

  private codeHeight(lines: readonly string[]): number {
    return this.measure(lines.join('\n'), 'mono', SIZE.table, this.width - 16, 1) + 16;
  }

  note(text: string, fill: string = COLOUR.noteFill, rule: string = COLOUR.noteRule): void {
    const value = pdfText(text);
    const height = this.measure(value, 'body', SIZE.small + 0.5, this.width - 22, 1.5);
    this.ensure(height + 14);
    const top = this.y;
    this.artifact(() => {
      this.doc.rect(this.left, top, this.width, height + 12).fill(fill);
      this.doc.rect(this.left, top, 3, height + 12).fill(rule);
    });
    this.tag('P', () => {
      this.use('body', SIZE.small + 0.5);
      this.text(value, this.left + 12, top + 6, { width: this.width - 22, lineGap: 1.5 });
    });
    this.y = top + height + 20;
  }

  /** Label/value lines (cover, parameters). */
  keyValues(rows: readonly (readonly [string, string])[], labelWidth = 150, size: number = SIZE.body): void {
    for (const [label, raw] of rows) {
      const value = pdfText(raw) || '—';
      const height = Math.max(this.measure(value, 'body', size, this.width - labelWidth, 1), this.measure(label, 'bold', size, labelWidth - 8, 1));
      this.ensure(height + 4);
      const y = this.y;
      this.tag('P', () => {
        this.use('bold', size, COLOUR.muted);
        this.text(label, this.left, y, { width: labelWidth - 8, lineGap: 1 });
        this.use('body', size);
        this.text(value, this.left + labelWidth, y, { width: this.width - labelWidth, lineGap: 1 });
      });
      this.y = y + height + 4;
    }
    this.y += 4;
  }

  /** A chart or other drawing of known height, tagged as a Figure with alternative text. */
  figure(alt: string, height: number, draw: (x: number, y: number, width: number) => void): void {
    this.ensure(height);
    const y = this.y;
    this.tag('Figure', () => draw(this.left, y, this.width), { alt: pdfText(alt) });
    this.y = y + height;
  }

  /** Template blocks from text.yaml, placeholders filled; a sub-heading stays on the page of what it introduces. */
  blocks(blocks: readonly Block[]): void {
    const fill = (s: string): string => fillPlaceholders(s, this.placeholders);
    blocks.forEach((block, i) => {
      if ('p' in block) this.paragraph(fill(block.p));
      else if ('h' in block) this.heading(fill(block.h), 3, this.introducedHeight(blocks.slice(i + 1), fill));
      else if ('note' in block) this.note(fill(block.note));
      else if ('code' in block) this.code(fill(block.code));
      else this.bullets(block.bullets.map(fill));
    });
  }

  /** Height of the blocks up to the next sub-heading (a paragraph and the code it introduces), capped. */
  private introducedHeight(following: readonly Block[], fill: (s: string) => string): number {
    const cap = this.pageBody / 3;
    let height = 0;
    for (const block of following) {
      if ('h' in block || height >= cap) break;
      if ('p' in block) height += this.measure(pdfText(fill(block.p)), 'body', SIZE.body, this.width, 1.5) + 6;
      else if ('note' in block) height += this.measure(pdfText(fill(block.note)), 'body', SIZE.small + 0.5, this.width - 22, 1.5) + 20;
      else if ('code' in block) height += this.codeHeight(this.codeLines(fill(block.code)));
      else height += block.bullets.reduce((sum, item) => sum + this.measure(pdfText(fill(item)), 'body', SIZE.body, this.width - 14, 1.5) + 3, 3);
    }
    return Math.max(40, Math.min(height, cap));
  }

  /**
   * The table of contents on its reserved page: one line per section (sub-sections indented) with its
   * page number, tagged TOC / TOCI; the dotted leaders are artifacts. Sub-sections are left out when the
   * space cannot hold every line (the bookmarks still list them).
   */
  private drawContents(): void {
    const reserved = this.contents;
    if (!reserved) return;
    this.doc.switchToPage(reserved.page - 1);
    const lineHeight = 14;
    const room = Math.floor((this.bottom - reserved.top) / lineHeight);
    let entries = this.contentsEntries;
    if (entries.length > room) entries = entries.filter((e) => e.level === 1);
    if (entries.length > room) entries = entries.slice(0, Math.max(0, room));
    const toc = this.doc.struct('TOC');
    reserved.section.add(toc);
    const leaders: [number, number, number][] = [];
    entries.forEach((entry, i) => {
      const y = reserved.top + i * lineHeight;
      const x = this.left + (entry.level === 2 ? 14 : 0);
      const page = String(entry.page);
      toc.add(
        this.doc.struct('TOCI', {}, [
          () => {
            this.use(entry.level === 1 ? 'bold' : 'body', SIZE.body);
            const titleWidth = Math.min(this.doc.widthOfString(this.displayable(entry.title)), this.right - x - 40);
            this.text(entry.title, x, y, { width: this.right - x - 40, height: lineHeight, lineBreak: false, ellipsis: true });
            this.use('body', SIZE.body);
            const pageWidth = this.doc.widthOfString(page);
            this.text(page, this.right - pageWidth, y, { lineBreak: false });
            leaders.push([x + titleWidth + 4, this.right - pageWidth - 4, y + SIZE.body]);
          },
        ]),
      );
    });
    toc.end();
    this.artifact(() => {
      for (const [x1, x2, y] of leaders) if (x2 > x1) this.doc.moveTo(x1, y).lineTo(x2, y).lineWidth(0.6).dash(0.6, { space: 2.4 }).strokeColor(COLOUR.muted).stroke().undash();
    });
    reserved.section.end();
  }

  /** Ends the tag structure and draws header, footer and "Page X of Y" on every page. */
  finish(furniture: PageFurniture): void {
    this.endSection();
    this.drawContents();
    this.root.end();
    const { start, count } = this.doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      this.doc.switchToPage(i);
      const page = this.doc.page;
      const bottomMargin = page.margins.bottom;
      page.margins.bottom = 0; // writing inside the bottom margin would otherwise add a page
      const left = page.margins.left;
      const width = page.width - left - page.margins.right;
      this.doc.markContent('Artifact', { type: 'Pagination' });
      const mark = pdfText(furniture.marking);
      if (mark) {
        this.use('bold', SIZE.mark, furniture.markingColour);
        this.text(mark, left, 24, { width, align: 'center', lineBreak: false });
        this.text(mark, left, page.height - 30, { width, align: 'center', lineBreak: false });
      }
      if (i > start) {
        this.use('body', SIZE.mark - 0.5, COLOUR.muted);
        this.text(pdfText(furniture.headerLeft), left, 36, { width: width / 2, lineBreak: false, height: 10, ellipsis: true });
        this.text(pdfText(furniture.headerRight), left + width / 2, 36, { width: width / 2, align: 'right', lineBreak: false, height: 10, ellipsis: true });
        this.doc.moveTo(left, 48).lineTo(left + width, 48).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
      }
      if (furniture.stamp) this.stamp(furniture.stamp, page);
      this.use('body', SIZE.mark - 0.5, COLOUR.muted);
      this.text(pdfText(furniture.footerLeft), left, page.height - 42, { width: width * 0.7, height: 10, lineBreak: false, ellipsis: true });
      this.text(`Page ${i - start + 1} of ${count}`, left + width * 0.7, page.height - 42, { width: width * 0.3, align: 'right', lineBreak: false });
      this.doc.endMarkedContent();
      page.margins.bottom = bottomMargin;
    }
  }

  /**
   * "Not evidence": a band across the top edge naming the endpoint, and the words in outline across the
   * page (stroked, not filled, so the content under them stays legible). Drawn inside the pagination
   * artifact of finish(); opaque colours only (no transparency groups).
   */
  private stamp(stamp: { band: string; diagonal: string }, page: PDFKit.PDFPage): void {
    this.doc.rect(0, 0, page.width, 17).fill(STAMP_COLOUR);
    this.use('bold', SIZE.mark - 0.5, COLOUR.white);
    this.text(pdfText(stamp.band), 12, 4.5, { width: page.width - 24, align: 'center', height: 10, lineBreak: false, ellipsis: true });
    // The diagonal words are drawn as glyph outlines (vector paths), not text: text would be read by
    // text extraction (pdftotext, copy and paste) into the middle of the page's own lines.
    this.use('bold', 54);
    const font = (this.doc as unknown as { _font: { font: OutlineFont } })._font.font;
    const run = font.layout(pdfText(stamp.diagonal));
    const scale = 64 / font.unitsPerEm;
    const width = run.positions.reduce((sum, p) => sum + p.xAdvance, 0) * scale;
    this.doc.save();
    this.doc.rotate(-Math.atan2(page.height, page.width) * (180 / Math.PI), { origin: [page.width / 2, page.height / 2] });
    this.doc.translate(page.width / 2 - width / 2, page.height / 2 + 22).scale(scale, -scale);
    let pen = 0;
    run.glyphs.forEach((glyph, i) => {
      const path = glyph.path.toSVG();
      if (path) this.doc.save().translate(pen, 0).path(path).lineWidth(1.1 / scale).strokeColor(STAMP_OUTLINE).stroke().restore();
      pen += run.positions[i]!.xAdvance;
    });
    this.doc.restore();
  }
}

/** The part of a fontkit font the stamp draws with (glyph outlines in font units, y up). */
interface OutlineFont {
  unitsPerEm: number;
  layout(text: string): { glyphs: { path: { toSVG(): string } }[]; positions: { xAdvance: number }[] };
}

const STAMP_COLOUR = '#B00020';
const STAMP_OUTLINE = '#EF9A9A';
