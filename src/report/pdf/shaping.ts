/**
 * Shaping the PDF's unique words without shaping each of them whole.
 *
 * pdfkit 0.19 shapes every distinct word with fontkit (EmbeddedFont.layoutRun → fontkit
 * Font.layout: an OpenType shaping plan, GSUB and GPOS, about 30 µs a call plus 2 µs a glyph) and
 * keeps the result per word (`fontLayoutCache`). Words that repeat are shaped once; the words of the
 * key tables are not: key ids, ARNs, aliases, account ids and names, times, each shaped in several
 * pieces because pdfkit measures every line-break segment and then encodes every line. For 2,400
 * keys that was about 6,700 fontkit calls and 0.8 s of the PDF's 1.3 s (issue 15).
 *
 * In a word made only of printable ASCII, shaping can only join or move glyphs through ligatures and
 * kerning between neighbours. When no adjacent pair of the word is changed by shaping in its font,
 * the word's run is the concatenation of its characters' runs. Which pairs shaping changes is a
 * property of the font file: assets/fonts/shaping-pairs.json lists them for each embedded font,
 * computed with fontkit itself by `unsafePairs` (every pair shaped whole, with the script fontkit
 * finds and within a Latin word, against its two characters shaped alone), and
 * test/report/pdf-shaping.test.ts computes them again from the font files and compares. A word with
 * an unsafe pair ("ff" is a ligature, "AV" is kerned) or any other character, and any font the file
 * does not list at its revision, is shaped whole by fontkit as before. The result is the same glyphs
 * and positions, so the same PDF bytes: the test also renders a whole report both ways.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { assetsDir } from '../../io/paths.js';
import { FONT_FILES } from './theme.js';

interface Position {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

interface Glyph {
  id: number;
}

/** What pdfkit's EmbeddedFont.layout reads of a run. */
interface Run {
  glyphs: Glyph[];
  positions: Position[];
  advanceWidth: number;
}

/** The part of a fontkit font used here. */
export interface FontkitFont {
  postscriptName: string;
  head: { fontRevision: number };
  layout(text: string, features?: unknown, script?: string): { glyphs: Glyph[]; positions: Position[] };
}

/** The part of pdfkit's EmbeddedFont this relies on (pdfkit 0.19.1: the `_fontFamilies` entries). */
interface EmbeddedFont {
  layoutRun(text: string, features?: unknown): Run;
  font: FontkitFont;
}

/** assets/fonts/shaping-pairs.json: per font (PostScript name), its revision and the pairs shaping changes. */
export interface ShapingPairs {
  chars: string;
  fonts: Record<string, { revision: number; unsafe: string[] }>;
}

/** Characters whose words may be composed: printable ASCII. */
export const COMPOSABLE_CHARS = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

export const SHAPING_PAIRS_FILE = join(assetsDir, 'fonts', 'shaping-pairs.json');

/** Longer words are rare and shaped whole. */
const MAX_COMPOSED = 256;
const wrapped = new WeakSet<object>();
let shippedPairs: ShapingPairs | null | undefined;

/** Makes every embedded font of `doc` that shaping-pairs.json lists compose the runs of words whose pairs shaping leaves alone. */
export function composeSimpleWords(doc: PDFKit.PDFDocument): void {
  const pairs = loadShippedPairs();
  if (!pairs) return;
  const families = (doc as unknown as { _fontFamilies?: Record<string, Partial<EmbeddedFont>> })._fontFamilies ?? {};
  for (const font of Object.values(families)) {
    if (typeof font.layoutRun !== 'function' || !font.font || wrapped.has(font)) continue;
    const listed = pairs.fonts[font.font.postscriptName];
    if (!listed || listed.revision !== font.font.head.fontRevision) continue; // another font file: fontkit shapes everything
    wrapped.add(font);
    const embedded = font as EmbeddedFont;
    const shape = embedded.layoutRun.bind(embedded);
    const compose = composer(shape, pairs.chars, new Set(listed.unsafe));
    embedded.layoutRun = (text, features) => (features === undefined ? (compose(text) ?? shape(text)) : shape(text, features));
  }
}

function loadShippedPairs(): ShapingPairs | null {
  if (shippedPairs === undefined) {
    try {
      shippedPairs = JSON.parse(readFileSync(SHAPING_PAIRS_FILE, 'utf8')) as ShapingPairs;
    } catch {
      shippedPairs = null; // without the file every word is shaped whole, as pdfkit does
    }
  }
  return shippedPairs;
}

/** A function that composes a word's run from its characters' runs (`shape`, cached), or null when it may not. */
export function composer(shape: (text: string) => Run, chars: string, unsafe: ReadonlySet<string>): (text: string) => Run | null {
  const allowed = new Set(chars);
  const singles = new Map<string, Run>();
  return (text) => {
    if (text.length < 2 || text.length > MAX_COMPOSED) return null;
    const runs: Run[] = [];
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (!allowed.has(char) || (i > 0 && unsafe.has(text[i - 1]! + char))) return null;
      let run = singles.get(char);
      if (!run) singles.set(char, (run = shape(char)));
      runs.push(run);
    }
    return concat(runs);
  };
}

function concat(runs: Run[]): Run {
  const glyphs: Glyph[] = [];
  const positions: Position[] = [];
  let advanceWidth = 0; // as fontkit's GlyphRun.advanceWidth: the sum of the x advances, in order
  for (const run of runs) {
    for (let i = 0; i < run.glyphs.length; i++) {
      glyphs.push(run.glyphs[i]!);
      positions.push(run.positions[i]!);
      advanceWidth += run.positions[i]!.xAdvance;
    }
  }
  return { glyphs, positions, advanceWidth };
}

/** shaping-pairs.json as the embedded fonts give it now (scripts/shaping-pairs.ts writes it; the test compares). */
export function computeShapingPairs(): ShapingPairs {
  const doc = new PDFDocument({ autoFirstPage: false });
  const fonts: ShapingPairs['fonts'] = {};
  for (const file of Object.values(FONT_FILES)) {
    doc.font(file);
    const font = (doc as unknown as { _font: { font: FontkitFont } })._font.font;
    fonts[font.postscriptName] = { revision: font.head.fontRevision, unsafe: unsafePairs(font, COMPOSABLE_CHARS) };
  }
  return { chars: COMPOSABLE_CHARS, fonts };
}

/**
 * The pairs of `chars` that shaping changes in `font`: shaped whole, with the script fontkit finds
 * for the pair and with Latin (the script of any word with a letter), they differ from their two
 * characters each shaped alone, as a composed word puts them side by side.
 */
export function unsafePairs(font: FontkitFont, chars: string): string[] {
  const alone = new Map([...chars].map((c) => [c, font.layout(c)]));
  const unsafe: string[] = [];
  for (const a of chars) {
    for (const b of chars) {
      const apart = { glyphs: [...alone.get(a)!.glyphs, ...alone.get(b)!.glyphs], positions: [...alone.get(a)!.positions, ...alone.get(b)!.positions] };
      if (!sameRun(font.layout(a + b), apart) || !sameRun(font.layout(a + b, undefined, 'latn'), apart)) unsafe.push(a + b);
    }
  }
  return unsafe;
}

function sameRun(a: { glyphs: Glyph[]; positions: Position[] }, b: { glyphs: Glyph[]; positions: Position[] }): boolean {
  if (a.glyphs.length !== b.glyphs.length) return false;
  for (let i = 0; i < a.glyphs.length; i++) {
    const p = a.positions[i]!;
    const q = b.positions[i]!;
    if (a.glyphs[i]!.id !== b.glyphs[i]!.id || p.xAdvance !== q.xAdvance || p.yAdvance !== q.yAdvance || p.xOffset !== q.xOffset || p.yOffset !== q.yOffset) return false;
  }
  return true;
}
