/**
 * Words composed from their characters' runs (src/report/pdf/shaping.ts) are shaped exactly as
 * fontkit shapes them whole: the shipped pair list agrees with the font files, random and realistic
 * words give the same glyphs and positions both ways, and a whole report renders to the same bytes
 * with and without composing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { describe, expect, it, vi } from 'vitest';
import { COMPOSABLE_CHARS, composer, computeShapingPairs, SHAPING_PAIRS_FILE, type ShapingPairs } from '../../src/report/pdf/shaping.js';
import { FONT_FILES } from '../../src/report/pdf/theme.js';
import { renderFixture } from './helpers.js';

interface Run {
  glyphs: { id: number }[];
  positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }[];
  advanceWidth: number;
}

const shipped = JSON.parse(await readFile(SHAPING_PAIRS_FILE, 'utf8')) as ShapingPairs;

/** A deterministic pseudo-random sequence (the test must fail the same way every time). */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function words(count: number): string[] {
  const next = random(15);
  const pick = (chars: string, n: number): string => Array.from({ length: n }, () => chars[Math.floor(next() * chars.length)]).join('');
  const hex = '0123456789abcdef';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const uuid = `${pick(hex, 8)}-${pick(hex, 4)}-${pick(hex, 4)}-${pick(hex, 4)}-${pick(hex, 12)}`;
    out.push(
      uuid,
      `${uuid.slice(0, 19)}\n`,
      `arn:aws:kms:eu-west-1:${pick('0123456789', 12)}:key/${uuid} `,
      `alias/${pick('abcdefghijklmnopqrstuvwxyz-', 3 + (i % 20))}`,
      `2026-${pick('01', 1)}${pick('0123456789', 1)}-2${pick('0123456789', 1)}T0${pick('0123456789', 1)}:00:00Z`,
      pick(COMPOSABLE_CHARS, 2 + (i % 30)),
    );
  }
  return out;
}

describe('composed words in report.pdf', () => {
  it('the shipped pair list is what the font files give', () => {
    expect(computeShapingPairs()).toEqual(shipped);
  });

  it('give the glyphs and positions fontkit gives the whole word, in every embedded font', () => {
    const doc = new PDFDocument({ autoFirstPage: false });
    for (const file of Object.values(FONT_FILES)) {
      doc.font(file);
      const embedded = (doc as unknown as { _font: { layoutRun(text: string): Run; font: { postscriptName: string } } })._font;
      const shape = (text: string): Run => embedded.layoutRun(text);
      const compose = composer(shape, shipped.chars, new Set(shipped.fonts[embedded.font.postscriptName]!.unsafe));
      let composed = 0;
      const all = words(400);
      for (const word of all) {
        const run = compose(word);
        if (!run) continue;
        composed++;
        const whole = shape(word);
        expect(run.glyphs.map((g) => g.id), word).toEqual(whole.glyphs.map((g) => g.id));
        expect(run.positions.map((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]), word).toEqual(whole.positions.map((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]));
        expect(run.advanceWidth, word).toBe(whole.advanceWidth);
      }
      // Most of these words compose (key ids always do); the check above is not vacuous.
      expect(composed).toBeGreaterThan(all.length / 2);
    }
  });

  it('a whole report renders to the same bytes as with every word shaped whole', async () => {
    const fixture = { keys: 600, previous: true };
    const composedPdf = await readFile(join((await renderFixture(fixture)).dir, 'report.pdf'));
    vi.resetModules();
    vi.doMock('../../src/report/pdf/shaping.js', () => ({ composeSimpleWords: () => undefined }));
    const { renderFixture: renderWhole } = await import('./helpers.js');
    const wholePdf = await readFile(join((await renderWhole(fixture)).dir, 'report.pdf'));
    vi.doUnmock('../../src/report/pdf/shaping.js');
    expect(composedPdf.length).toBeGreaterThan(10_000);
    expect(composedPdf.equals(wholePdf)).toBe(true);
  });
});
