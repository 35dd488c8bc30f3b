/**
 * A results document (or a shard part) read from disk or S3 is untrusted input: its header and
 * each key are checked against the fields the tool relies on before anything uses them. Ids that
 * become paths (scan id, shard index and count, account ids, regions: src/names.ts) must match
 * their pattern; statuses must be one of the five; keys must come in report order, each once.
 * A failure is a UsageError naming the file (and line, and key) and what was expected.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { ACCOUNT_ID_PATTERN, quote, REGION_PATTERN, scanIdProblem } from '../names.js';
import { MAX_SHARDS } from '../shard/spec.js';
import { ALL_STATUSES, compareKeys, type KeyResult, type ResultsHeader } from './types.js';

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'expected a 12-digit AWS account id');
const region = z.string().regex(REGION_PATTERN, 'expected an AWS region name such as eu-west-1');
const count = z.number().int().min(0);
const text = z.string();
const nullableText = z.string().nullable();

const shard = z
  .strictObject({ index: z.number().int().min(0).max(MAX_SHARDS - 1), count: z.number().int().min(1).max(MAX_SHARDS) })
  .refine((s) => s.index < s.count, 'expected a shard index K below the shard count N (K counted from 0)');

const headerSchema = z.looseObject({
  scanId: z.string().superRefine((id, ctx) => {
    const problem = scanIdProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  startedAt: text,
  finishedAt: text,
  complete: z.boolean(),
  partition: text,
  parameters: z.looseObject({
    shard: shard.nullable().optional(),
    homeRegion: text.optional(),
    // Tag keys the owner and managed_by columns read (KMS TagKeyType: 1..128 characters).
    ownerTag: z.string().min(1).max(128).nullable().optional(),
    managedByTag: z.string().min(1).max(128).nullable().optional(),
  }),
  coverage: z.looseObject({
    accounts: z.array(z.looseObject({ accountId, accountName: nullableText.optional(), status: z.enum(['scanned', 'error', 'skipped']) })),
    regions: z.array(z.looseObject({ accountId, region, status: z.enum(['scanned', 'not_enabled', 'error', 'skipped']) })),
  }),
  summary: z.looseObject({
    keys: count,
    byStatus: z.strictObject(Object.fromEntries(ALL_STATUSES.map((s) => [s, count])) as Record<(typeof ALL_STATUSES)[number], typeof count>),
    accountsInScope: count,
    accountRegionPairs: count,
  }),
  apiCalls: z.record(z.string(), count),
  dataSource: z.strictObject({ endpoints: z.array(text).max(100_000), nonAws: z.boolean() }).optional(),
  extensions: z.record(z.string(), z.unknown()),
});

/**
 * Each key is checked by hand rather than with a zod schema: a 100,000-key report reads every key
 * several times, and a schema parse (which copies the object) costs about ten times as much.
 */
const STATUSES: ReadonlySet<string> = new Set(ALL_STATUSES);
type KeyCheck = [field: string, ok: (value: unknown) => boolean, expected: string];
const isText = (v: unknown): boolean => typeof v === 'string';
const isNullableText = (v: unknown): boolean => v === null || typeof v === 'string';
/** `2024-03-01`, `2024-03-01T10:00:00.000Z`, `2024-03-01T18:00:00+08:00` (what the collector and the SDK write). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const isTextArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const KEY_CHECKS: KeyCheck[] = [
  ['accountId', (v) => typeof v === 'string' && ACCOUNT_ID_PATTERN.test(v), 'expected a 12-digit AWS account id'],
  ['region', (v) => typeof v === 'string' && REGION_PATTERN.test(v), 'expected an AWS region name such as eu-west-1'],
  ['keyId', (v) => typeof v === 'string' && v.length > 0 && v.length <= 2048, 'expected a key id (1..2048 characters)'],
  ['keyArn', (v) => typeof v === 'string' && v.length > 0 && v.length <= 2048, 'expected a key ARN (1..2048 characters)'],
  ['status', (v) => typeof v === 'string' && STATUSES.has(v), `expected one of ${ALL_STATUSES.join(', ')}`],
  ['accountName', isNullableText, 'expected a string or null'],
  ['ouPath', isNullableText, 'expected a string or null'],
  ['ouIds', isTextArray, 'expected an array of strings'],
  ['aliases', isTextArray, 'expected an array of strings'],
  ['description', isNullableText, 'expected a string or null'],
  ['reason', isText, 'expected a string'],
  ['exceptionId', isNullableText, 'expected a string or null'],
  ['rotationEnabled', (v) => v === null || typeof v === 'boolean', 'expected true, false or null'],
  ['rotationPeriodDays', (v) => v === null || Number.isInteger(v), 'expected a whole number or null'],
  ['creationDate', (v) => v === null || (typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v))), 'expected an ISO 8601 date such as 2024-03-01T10:00:00.000Z, or null'],
  ['tags', (v) => v === null || (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string')), 'expected an object of strings or null'],
];

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  let got = value;
  for (const part of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[part] : undefined;
  return `${path || '(top level)'}: ${issue.message}${got === undefined ? '' : `, got ${quote(got)}`}`;
}

/** The header, checked; `where` is the file name. */
export function checkHeader(header: unknown, where: string): ResultsHeader {
  const parsed = headerSchema.safeParse(header);
  if (!parsed.success) throw new UsageError(`${where}: damaged results header: header.${describe(parsed.error.issues[0]!, header)}`);
  return header as ResultsHeader;
}

/** One key, checked; `where` is `file:line` (or `file` and the key's index). */
export function checkKey(key: unknown, where: string): KeyResult {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new UsageError(`${where}: damaged key: expected an object, got ${quote(key)}`);
  const record = key as Record<string, unknown>;
  for (const [field, ok, expected] of KEY_CHECKS) {
    const value = record[field];
    if (!ok(value)) throw damaged(where, record, field, expected, value);
  }
  if (record.primaryStatus !== undefined && !(typeof record.primaryStatus === 'string' && STATUSES.has(record.primaryStatus))) {
    throw damaged(where, record, 'primaryStatus', `expected one of ${ALL_STATUSES.join(', ')} (or no such field)`, record.primaryStatus);
  }
  return key as KeyResult;
}

function damaged(where: string, record: Record<string, unknown>, field: string, expected: string, value: unknown): UsageError {
  const named = typeof record.keyId === 'string' && field !== 'keyId' ? ` (key ${quote(record.keyId)})` : '';
  return new UsageError(`${where}: damaged key${named}: ${field}: ${expected}, got ${value === undefined ? 'nothing' : quote(value)}`);
}

/** Keys checked one by one and in report order (account, region, key id), each once. */
export async function* checkedKeys(keys: AsyncIterable<{ key: unknown; where: string }>): AsyncIterable<KeyResult> {
  let previous: KeyResult | null = null;
  for await (const { key, where } of keys) {
    const checked = checkKey(key, where);
    if (previous) {
      const order = compareKeys(previous, checked);
      if (order >= 0) {
        const id = `${checked.accountId}/${checked.region}/${checked.keyId}`;
        throw new UsageError(
          order === 0
            ? `${where}: key ${quote(id)} is given twice; a results document lists each key once`
            : `${where}: key ${quote(id)} is out of order (after ${quote(`${previous.accountId}/${previous.region}/${previous.keyId}`)}); keys are sorted by account, region and key id`,
        );
      }
    }
    previous = checked;
    yield checked;
  }
}
