/**
 * The exceptions register as the results header carries it (`header.extensions.exceptions`, written by
 * src/exceptions/report.ts), checked before the reports use it: a damaged or hand-edited results.json
 * fails with the file and key named, not with a TypeError halfway through the PDF.
 */
import { z } from 'zod';
import { dayNumber } from './dates.js';
import { EXCEPTIONS_EXTENSION, type ExceptionsSummary, type ExceptionSummaryEntry } from './index.js';
import { parseWith } from '../frameworks/read.js';

const str = z.string();
const count = z.number().int().min(0);
const strings = z.array(str).optional();

const EntrySchema = z.object({
  id: str,
  scope: z.object({ accounts: strings, ous: strings, keys: strings, aliases: strings, tags: z.record(str, str).optional() }).loose(),
  reason: str,
  approver: str,
  ticket: str,
  created: str,
  expires: str,
  approved: str.nullable().optional(),
  riskOwner: str.nullable().optional(),
  compensatingControl: str.nullable().optional(),
  state: z.enum(['active', 'expiring-soon', 'expired']),
  unused: z.boolean(),
  keysCovered: count,
  keyArns: z.array(str),
  keyArnsOmitted: count,
  tagsUndecided: count,
}).loose();

const FileSchema = z.object({ name: str, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 hex digits') });

const SummarySchema = z.object({
  source: str,
  file: FileSchema.nullable().optional(),
  maxDays: count,
  expiringSoonDays: count,
  evaluatedAt: str,
  counts: z.object({ entries: count, active: count, expiringSoon: count, expired: count, unused: count, keysCovered: count }).loose(),
  entries: z.array(EntrySchema),
}).loose();

/** The register summary of a results header, or null when the scan used no register. */
export function readExceptionsSummary(extensions: Record<string, unknown>, file: string): ExceptionsSummary | null {
  const value = extensions[EXCEPTIONS_EXTENSION];
  if (value === undefined || value === null) return null;
  return parseWith(SummarySchema, value, file, `header.extensions.${EXCEPTIONS_EXTENSION}`) as ExceptionsSummary;
}

/** Whole days from the register's evaluation date to the entry's expiry date (negative once expired). */
export function daysLeft(entry: Pick<ExceptionSummaryEntry, 'expires'>, evaluatedAt: string): number | null {
  const expires = dayNumber(entry.expires);
  const at = Date.parse(evaluatedAt);
  if (expires === null || Number.isNaN(at)) return null;
  return expires - Math.floor(at / 86_400_000);
}
