/**
 * The results header fields the reports rely on, checked before anything is written, so a foreign or
 * damaged results.json fails with the file and key named instead of a TypeError halfway through.
 */
import { z } from 'zod';
import { parseWith } from '../frameworks/read.js';
import type { ResultsHeader } from '../core/results.js';

const str = z.string();
const errorRecord = z.object({ code: str, message: str, operation: str }).nullable();

const HeaderSchema = z.object({
  scanId: str.min(1),
  toolName: str,
  toolVersion: str,
  startedAt: str,
  finishedAt: str,
  complete: z.boolean(),
  partition: str,
  parameters: z.object({ maxRotationDays: z.number().positive(), evaluateDisabled: z.boolean(), excludeAccounts: z.array(str) }).loose(),
  coverage: z.object({
    accounts: z.array(z.object({ accountId: str, status: z.enum(['scanned', 'error', 'skipped']), error: errorRecord }).loose()),
    regions: z.array(z.object({ accountId: str, region: str, status: z.enum(['scanned', 'not_enabled', 'error', 'skipped']), error: errorRecord }).loose()),
  }),
  apiCalls: z.record(str, z.number()),
}).loose();

export function checkHeader(header: unknown, file: string): ResultsHeader {
  parseWith(HeaderSchema, header, file, 'header');
  return header as ResultsHeader;
}
