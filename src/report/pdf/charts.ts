/// <reference types="pdfkit" />
/**
 * Vector charts drawn with pdfkit primitives (no SVG conversion, which would pull in the standard fonts).
 * Every chart prints its numbers next to the marks, so no value depends on reading colours.
 */
import { formatInt, pdfText, percent } from '../../core/text.js';
import { COLOUR, SIZE } from './theme.js';
import type { Pdf } from './layout.js';

export interface Segment {
  label: string;
  value: number;
  colour: string;
}

const f = (n: number): string => n.toFixed(2);

/** A lighter shade of a #RRGGBB colour (blended with white), for the "previous" bars of a trend. */
export function lighten(hex: string, amount: number): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${c.map((v) => Math.round(v + (255 - v) * amount).toString(16).padStart(2, '0')).join('')}`;
}

/** Donut of `segments` with a legend to its right; `centre` printed in the hole. */
export function donut(pdf: Pdf, x: number, y: number, diameter: number, segments: readonly Segment[], centre: [string, string], legendExtra: string[] = []): void {
  const doc = pdf.doc;
  const r = diameter / 2;
  const ri = r * 0.6;
  const cx = x + r;
  const cy = y + r;
  const total = segments.reduce((s, g) => s + g.value, 0);
  const visible = segments.filter((s) => s.value > 0);
  if (total === 0) {
    doc.circle(cx, cy, r).circle(cx, cy, ri).fill(COLOUR.rule, 'even-odd');
  } else if (visible.length === 1) {
    doc.circle(cx, cy, r).circle(cx, cy, ri).fill(visible[0]!.colour, 'even-odd');
  } else {
    let a0 = -Math.PI / 2;
    for (const s of visible) {
      const a1 = a0 + (s.value / total) * Math.PI * 2;
      const large = a1 - a0 > Math.PI ? 1 : 0;
      const pt = (rad: number, a: number): string => `${f(cx + rad * Math.cos(a))} ${f(cy + rad * Math.sin(a))}`;
      doc.path(`M ${pt(r, a0)} A ${f(r)} ${f(r)} 0 ${large} 1 ${pt(r, a1)} L ${pt(ri, a1)} A ${f(ri)} ${f(ri)} 0 ${large} 0 ${pt(ri, a0)} Z`).fill(s.colour);
      a0 = a1;
    }
    // thin white separators between segments
    a0 = -Math.PI / 2;
    for (const s of visible) {
      doc.moveTo(cx + ri * Math.cos(a0), cy + ri * Math.sin(a0)).lineTo(cx + r * Math.cos(a0), cy + r * Math.sin(a0)).lineWidth(1).strokeColor(COLOUR.white).stroke();
      a0 += (s.value / total) * Math.PI * 2;
    }
  }
  pdf.use('bold', 15);
  pdf.text(centre[0], cx - ri, cy - 13, { width: ri * 2, align: 'center', lineBreak: false });
  pdf.use('body', SIZE.small - 0.5, COLOUR.muted);
  pdf.text(centre[1], cx - ri, cy + 5, { width: ri * 2, align: 'center', lineBreak: false });

  const lx = x + diameter + 24;
  let ly = y + 6;
  for (const s of segments) {
    doc.rect(lx, ly + 1, 9, 9).fill(s.colour);
    pdf.use('bold', SIZE.body);
    pdf.text(s.label, lx + 15, ly, { lineBreak: false });
    pdf.use('body', SIZE.body);
    pdf.text(`${formatInt(s.value)}  (${percent(s.value, total)})`, lx + 120, ly, { lineBreak: false });
    ly += 16;
  }
  pdf.use('body', SIZE.small, COLOUR.muted);
  for (const line of legendExtra) {
    pdf.text(pdfText(line), lx, ly + 2, { lineBreak: false });
    ly += 12;
  }
}

export interface BarItem {
  label: string;
  segments: readonly Segment[];
}

/** Horizontal stacked bars, one per item, labels on the left and the total at the bar's end. */
export function horizontalBars(pdf: Pdf, x: number, y: number, width: number, items: readonly BarItem[], rowHeight = 15): number {
  const doc = pdf.doc;
  const labelWidth = Math.min(190, width * 0.38);
  const barMax = width - labelWidth - 50;
  const max = Math.max(1, ...items.map((i) => i.segments.reduce((s, g) => s + g.value, 0)));
  let ry = y;
  for (const item of items) {
    pdf.use('body', SIZE.small);
    pdf.text(pdfText(item.label), x, ry + 2, { width: labelWidth - 8, height: rowHeight, lineBreak: false, ellipsis: true });
    let bx = x + labelWidth;
    let sum = 0;
    for (const s of item.segments) {
      if (s.value <= 0) continue;
      const w = Math.max(1, (s.value / max) * barMax);
      doc.rect(bx, ry + 2, w, rowHeight - 5).fill(s.colour);
      bx += w;
      sum += s.value;
    }
    pdf.use('bold', SIZE.small);
    pdf.text(formatInt(sum), bx + 4, ry + 2, { lineBreak: false });
    ry += rowHeight;
  }
  doc.moveTo(x + labelWidth, y).lineTo(x + labelWidth, ry).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
  return ry - y;
}

export interface TrendGroup {
  label: string;
  colour: string;
  before: number;
  now: number;
}

/**
 * Grouped vertical bars: the previous run (light) beside this run (full colour), per status, each bar
 * labelled with its value; `series` names the two bars in a legend above the plot.
 */
export function trendBars(pdf: Pdf, x: number, y: number, width: number, height: number, groups: readonly TrendGroup[], series?: [string, string]): void {
  const doc = pdf.doc;
  const max = Math.max(1, ...groups.flatMap((g) => [g.before, g.now]));
  const legendHeight = series ? 16 : 0;
  const plotTop = y + legendHeight + 14;
  const base = y + height - 22;
  const plotHeight = base - plotTop;
  const groupWidth = width / groups.length;
  const barWidth = Math.min(34, groupWidth / 3);
  if (series) {
    let lx = x;
    for (const [label, shade] of [[series[0], 0.6], [series[1], 0]] as const) {
      doc.rect(lx, y + 2, 9, 9).fill(lighten(COLOUR.muted, shade));
      pdf.use('body', SIZE.small, COLOUR.text);
      pdf.text(`${label}${shade ? ' (light)' : ' (full colour)'}`, lx + 13, y + 1, { lineBreak: false });
      lx += 13 + doc.widthOfString(`${label}${shade ? ' (light)' : ' (full colour)'}`) + 18;
    }
  }
  doc.moveTo(x, base).lineTo(x + width, base).lineWidth(0.7).strokeColor(COLOUR.muted).stroke();
  groups.forEach((g, i) => {
    const gx = x + i * groupWidth + (groupWidth - 2 * barWidth - 4) / 2;
    const bars: [number, string, number][] = [
      [g.before, lighten(g.colour, 0.6), gx],
      [g.now, g.colour, gx + barWidth + 4],
    ];
    for (const [value, colour, bx] of bars) {
      const h = (value / max) * plotHeight;
      if (h > 0) doc.rect(bx, base - h, barWidth, h).fill(colour);
      pdf.use('body', SIZE.small - 0.5);
      pdf.text(formatInt(value), bx - 10, base - h - 10, { width: barWidth + 20, align: 'center', lineBreak: false });
    }
    pdf.use('bold', SIZE.small - 0.5);
    pdf.text(g.label, x + i * groupWidth, base + 5, { width: groupWidth, align: 'center', lineBreak: false });
  });
}

export interface RateItem {
  label: string;
  /** Nesting depth (0: the root), shown by indenting the label. */
  indent: number;
  failing: number;
  errors: number;
  /** The denominator: keys under the rule. */
  applicable: number;
}

/**
 * Horizontal bars of a rate on a fixed 0-100 % scale, one per item, indented labels on the left and
 * "27.3% (12 of 44)" at the bar's end; errors drawn as a second segment after the failing share.
 */
export function rateBars(pdf: Pdf, x: number, y: number, width: number, items: readonly RateItem[], failColour: string, errorColour: string, rowHeight = 15): number {
  const doc = pdf.doc;
  const labelWidth = Math.min(200, width * 0.36);
  const valueWidth = 136;
  const barMax = width - labelWidth - valueWidth;
  let ry = y;
  for (const item of items) {
    const indent = Math.min(item.indent, 8) * 9;
    pdf.use(item.indent === 0 ? 'bold' : 'body', SIZE.small);
    pdf.text(pdfText(item.label), x + indent, ry + 2, { width: labelWidth - 8 - indent, height: rowHeight, lineBreak: false, ellipsis: true });
    const fail = item.applicable ? item.failing / item.applicable : 0;
    const error = item.applicable ? item.errors / item.applicable : 0;
    doc.rect(x + labelWidth, ry + 2, barMax, rowHeight - 5).fill(COLOUR.zebra);
    if (fail > 0) doc.rect(x + labelWidth, ry + 2, Math.max(1, fail * barMax), rowHeight - 5).fill(failColour);
    if (error > 0) doc.rect(x + labelWidth + fail * barMax, ry + 2, Math.max(1, error * barMax), rowHeight - 5).fill(errorColour);
    pdf.use('bold', SIZE.small);
    pdf.text(`${percent(item.failing, item.applicable)} (${formatInt(item.failing)} of ${formatInt(item.applicable)})${item.errors ? ` + ${formatInt(item.errors)} ERROR` : ''}`, x + labelWidth + barMax + 6, ry + 2, { lineBreak: false });
    ry += rowHeight;
  }
  doc.moveTo(x + labelWidth, y).lineTo(x + labelWidth, ry).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
  return ry - y;
}

export interface TrendPoint {
  label: string;
  /** 0..1 */
  value: number;
  text: string;
}

/** A line of rates (0..1) across runs, on a 0 % to the largest value scale, each point labelled. */
export function trendLine(pdf: Pdf, x: number, y: number, width: number, height: number, points: readonly TrendPoint[], colour: string): void {
  const doc = pdf.doc;
  const max = Math.max(0.05, ...points.map((p) => p.value));
  const top = y + 12;
  const base = y + height - 18;
  const left = x + 34;
  const span = width - 50;
  const px = (i: number): number => left + (points.length === 1 ? span / 2 : (i / (points.length - 1)) * span);
  const py = (v: number): number => base - (v / max) * (base - top);
  pdf.use('body', SIZE.small - 0.5, COLOUR.muted);
  for (const v of [0, max / 2, max]) {
    doc.moveTo(left, py(v)).lineTo(left + span, py(v)).lineWidth(0.4).strokeColor(COLOUR.rule).stroke();
    pdf.text(`${(v * 100).toFixed(0)}%`, x, py(v) - 4, { width: 30, align: 'right', lineBreak: false });
  }
  points.forEach((p, i) => (i === 0 ? doc.moveTo(px(i), py(p.value)) : doc.lineTo(px(i), py(p.value))));
  if (points.length > 1) doc.lineWidth(1.5).strokeColor(colour).stroke();
  const every = Math.max(1, Math.ceil(points.length / 12));
  points.forEach((p, i) => {
    doc.circle(px(i), py(p.value), 2.5).fill(colour);
    if (i % every !== 0 && i !== points.length - 1) return;
    pdf.use('bold', SIZE.small - 0.5);
    pdf.text(p.text, px(i) - 30, py(p.value) - 12, { width: 60, align: 'center', lineBreak: false });
    pdf.use('body', SIZE.small - 0.5, COLOUR.muted);
    pdf.text(p.label, px(i) - 30, base + 5, { width: 60, align: 'center', lineBreak: false });
  });
}
