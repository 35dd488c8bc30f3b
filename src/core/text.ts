/**
 * Guards for untrusted text (descriptions, aliases, account names come from AWS and can hold anything).
 */

/** Characters a spreadsheet reads as the start of a formula, including their full-width forms. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** OWASP CSV injection guard: a leading `'` makes Excel, LibreOffice and Sheets show the text as-is. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

// C0/C1 controls (except tab/newline, handled by callers), bidi overrides and isolates (text spoofing),
// zero-width and BOM characters, lone surrogates.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for the PDF: control characters become U+FFFD (visible, not silently dropped); newlines and tabs become spaces. */
export function pdfText(value: string | null | undefined): string {
  if (value == null) return '';
  return value.replace(/[\r\n\t]+/g, ' ').replace(CONTROL, '\uFFFD');
}

/**
 * Text for a CSV cell: the same control, bidi and zero-width characters the PDF replaces become
 * U+FFFD (line breaks and tabs stay: the cell is quoted); results.json keeps the raw text.
 */
export function csvText(value: string): string {
  return value.replace(CONTROL, '\uFFFD');
}

/** Like pdfText but keeps line breaks (table cells built from several values). */
export function pdfTextLines(value: string | null | undefined): string {
  if (value == null) return '';
  return value.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL, '\uFFFD');
}

/** Text for PDF metadata (the XMP packet is built without escaping): printable, no `& < >`, bounded length. */
export function metadataText(value: string, max = 200): string {
  return pdfText(value)
    .replace(/&/g, 'and')
    .replace(/[<>"\uFFFD]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

/** Words a POSIX shell reads as themselves (no quoting needed), unless they start with `-`. */
const SHELL_PLAIN = /^[A-Za-z0-9._:/=@+-]+$/;

/**
 * POSIX shell quoting, the tool's only one: the value in single quotes, each `'` inside written
 * `'\''` (inside single quotes every character is literal: POSIX Shell Command Language, 2.2.2,
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html). `as-needed` (for a
 * command shown to a reader, e.g. findings.csv) leaves a plain word bare; `always` (generated
 * scripts) quotes every value, ids already checked included.
 */
export function shellQuote(value: string, mode: 'as-needed' | 'always' = 'as-needed'): string {
  if (mode === 'as-needed' && SHELL_PLAIN.test(value) && !value.startsWith('-')) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** ISO 8601 UTC (`2026-11-28T00:01:00.000Z`) for a parsable date; null when absent or unparsable. */
export function isoUtc(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The day of an ISO 8601 date as written (`2026-11-28T00:01:00.000Z` → `2026-11-28`). */
export function isoDay(iso: string): string {
  return iso.slice(0, 10);
}

/** `2026-11-28 00:01 UTC` for prose. */
export function displayUtc(value: string | null | undefined): string {
  const iso = isoUtc(value);
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'unknown';
}

/** `2026-11-28 00:01:07 UTC`: a snapshot time, to the second. */
export function displayUtcSeconds(value: string | null | undefined): string {
  const iso = isoUtc(value);
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : 'unknown';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return 'n/a';
  const p = (part / whole) * 100;
  return `${p >= 99.95 && part !== whole ? '99.9' : p.toFixed(1)}%`;
}
