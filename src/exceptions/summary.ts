/**
 * The exceptions register as the results header carries it (`header.extensions.exceptions`, built by
 * exceptionsSummary in src/exceptions/report.ts): the schema below is its one definition. The types
 * are inferred from it (z.infer), and a results.json read back is parsed with it before the reports
 * use it, so a damaged or hand-edited file fails with the file and key named, not with a TypeError
 * halfway through the PDF.
 */
import { z } from 'zod';
import { dayNumber } from './dates.js';
import { EXCEPTION_STATES } from './types.js';
import { parseWith } from '../frameworks/read.js';

/** Key under `header.extensions` where the summary is stored. */
export const EXCEPTIONS_EXTENSION = 'exceptions';

const str = z.string();
const count = z.number().int().min(0);
const strings = z.array(str).optional();

/** A register entry (without its file line) and what the scan made of it. */
const EntrySchema = z
  .object({
    id: str,
    scope: z.object({ accounts: strings, ous: strings, keys: strings, aliases: strings, tags: z.record(str, str).optional() }).loose(),
    reason: str,
    approver: str,
    ticket: str,
    created: str,
    expires: str,
    // The optional fields, null when the entry leaves them out (absent in results written before they existed).
    approved: str.nullable().optional(),
    riskOwner: str.nullable().optional(),
    compensatingControl: str.nullable().optional(),
    state: z.enum(EXCEPTION_STATES),
    /** Matched no FAIL key in this scan. */
    unused: z.boolean(),
    /** FAIL keys matched: made EXCEPTION when the entry is valid; left FAIL (reason names the expiry) when expired. */
    keysCovered: count,
    /** ARNs of the first covered keys (at most the usage cap); `keyArnsOmitted` more were not listed. */
    keyArns: z.array(str),
    keyArnsOmitted: count,
    /** FAIL keys whose tags were not collected, so a tag scope could not be decided (they stayed FAIL). */
    tagsUndecided: count,
  })
  .loose();

/** Base name, size and SHA-256 of the register bytes the scan parsed (src/io/files.ts NamedFileDigest). */
const FileSchema = z.object({ name: str, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 hex digits') });

const SummarySchema = z
  .object({
    /** The register file's base name (results written before issue 11 carry the path as given). */
    source: str,
    /** Absent in results written before it was recorded. */
    file: FileSchema.nullable().optional(),
    maxDays: count,
    expiringSoonDays: count,
    evaluatedAt: str,
    counts: z.object({ entries: count, active: count, expiringSoon: count, expired: count, unused: count, keysCovered: count }).loose(),
    entries: z.array(EntrySchema),
  })
  .loose();

export type ExceptionSummaryEntry = z.infer<typeof EntrySchema>;
export type ExceptionsSummary = z.infer<typeof SummarySchema>;

/** The register summary of a results header, or null when the scan used no register. */
export function readExceptionsSummary(extensions: Record<string, unknown>, file: string): ExceptionsSummary | null {
  const value = extensions[EXCEPTIONS_EXTENSION];
  if (value === undefined || value === null) return null;
  return parseWith(SummarySchema, value, file, `header.extensions.${EXCEPTIONS_EXTENSION}`);
}

/** Whole days from the register's evaluation date to the entry's expiry date (negative once expired). */
export function daysLeft(entry: Pick<ExceptionSummaryEntry, 'expires'>, evaluatedAt: string): number | null {
  const expires = dayNumber(entry.expires);
  const at = Date.parse(evaluatedAt);
  if (expires === null || Number.isNaN(at)) return null;
  return expires - Math.floor(at / 86_400_000);
}
