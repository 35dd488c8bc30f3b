/**
 * A results document (or a shard part) read from disk or S3 is untrusted input: its header and
 * each key are checked against the fields the tool relies on before anything uses them. Ids that
 * become paths (scan id, shard index and count, account ids, regions: src/core/names.ts) must match
 * their pattern; statuses must be one of the five; keys must come in report order, each once.
 * A failure is a UsageError naming the file (and line, and key) and what was expected.
 */
import { z } from 'zod';
import { UsageError } from './errors.js';
import { ACCOUNT_ID_PATTERN, quote, REGION_PATTERN, scanIdProblem } from './names.js';
import { MAX_SHARDS } from './shard.js';
import { AWS_MAX, bounded } from './bounds.js';
import { ALL_STATUSES, compareKeys, type AccountCoverage, type AwsErrorRecord, type KeyResult, type RegionCoverage, type ResultsHeader } from './results.js';

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'expected a 12-digit AWS account id');
const region = z.string().regex(REGION_PATTERN, 'expected an AWS region name such as eu-west-1');
const count = z.number().int().min(0);
const text = z.string();
const nullableText = z.string().nullable();
const errorRecord = z.looseObject({ code: text, message: text, operation: text });

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
    accounts: z.array(
      z.looseObject({ accountId, accountName: nullableText.optional(), ouPath: nullableText.optional(), reason: nullableText.optional(), error: errorRecord.nullable().optional(), status: z.enum(['scanned', 'error', 'skipped']) }),
    ),
    regions: z.array(z.looseObject({ accountId, region, reason: nullableText.optional(), error: errorRecord.nullable().optional(), status: z.enum(['scanned', 'not_enabled', 'error', 'skipped']) })),
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
/** A date as the scan writes it (ISO 8601, from the SDK's Date values), or null. */
const isNullableDate = (v: unknown): boolean => v === null || (typeof v === 'string' && v.length <= 64 && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)));
const DATE_EXPECTED = 'expected an ISO 8601 date such as 2024-03-01T10:00:00.000Z, or null';
const isError = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && ['code', 'message', 'operation'].every((f) => typeof (v as Record<string, unknown>)[f] === 'string');
const oneOf = (values: readonly (string | null)[]) => (v: unknown): boolean => values.includes(v as string | null);
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
  ['keyManager', isNullableText, 'expected a string or null'],
  ['keySpec', isNullableText, 'expected a string or null'],
  ['keyUsage', isNullableText, 'expected a string or null'],
  ['origin', isNullableText, 'expected a string or null'],
  ['keyState', isNullableText, 'expected a string or null'],
  ['enabled', (v) => v === null || typeof v === 'boolean', 'expected true, false or null'],
  ['multiRegionType', oneOf(['PRIMARY', 'REPLICA', null]), 'expected PRIMARY, REPLICA or null'],
  ['primaryKeyArn', isNullableText, 'expected a string or null'],
  ['customKeyStoreId', isNullableText, 'expected a string or null'],
  ['creationDate', isNullableDate, DATE_EXPECTED],
  ['deletionDate', isNullableDate, DATE_EXPECTED],
  ['rotationEnabled', (v) => v === null || typeof v === 'boolean', 'expected true, false or null'],
  ['rotationPeriodDays', (v) => v === null || Number.isInteger(v), 'expected a whole number or null'],
  ['nextRotationDate', isNullableDate, DATE_EXPECTED],
  ['onDemandRotationStartDate', isNullableDate, DATE_EXPECTED],
  ['lastRotationDate', isNullableDate, DATE_EXPECTED],
  ['lastRotationType', oneOf(['AUTOMATIC', 'ON_DEMAND', null]), 'expected AUTOMATIC, ON_DEMAND or null'],
  ['tags', (v) => v === null || (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string')), 'expected an object of strings or null'],
  ['reason', isText, 'expected a string'],
  ['ruleId', isText, 'expected a string'],
  ['severity', oneOf(['LOW', 'MEDIUM', 'HIGH']), 'expected LOW, MEDIUM or HIGH'],
  ['exceptionId', isNullableText, 'expected a string or null'],
  ['error', (v) => v === null || isError(v), 'expected null or an error with code, message and operation'],
  ['evaluatedAt', (v) => typeof v === 'string' && v.length <= 64, 'expected a date (ISO 8601)'],
  ['evidenceGaps', (v) => v === undefined || (Array.isArray(v) && v.every((g) => g !== null && typeof g === 'object' && typeof (g as Record<string, unknown>).evidence === 'string' && isError((g as Record<string, unknown>).error))), 'expected an array of evidence gaps ({evidence, error})'],
  ['inferences', (v) => v === undefined || isTextArray(v), 'expected an array of strings'],
];

/**
 * Bounded text, end to end (issue 12): a results file read from disk or S3 gets the bounds the scan
 * applies when it reads facts from AWS (src/core/bounds.ts: description, alias, tag, account name), and
 * text the tool writes itself (reason, OU path, error message, inference) a bound of TEXT_MAX.
 * Longer text is cut with the same marker, so a hand-made file with 100 kB descriptions renders as
 * fast as a real one; the raw file is what the run folder keeps (results.json is copied byte for byte).
 */
export const TEXT_MAX = 4096;

function boundedError<T extends AwsErrorRecord | null>(error: T): T {
  if (!error || (error.message.length <= TEXT_MAX && error.code.length <= 256 && error.operation.length <= 256)) return error;
  return { ...error, code: bounded(error.code, 256), message: bounded(error.message, TEXT_MAX), operation: bounded(error.operation, 256) };
}

function overlong(key: KeyResult): boolean {
  if ((key.description?.length ?? 0) > AWS_MAX.description || (key.accountName?.length ?? 0) > AWS_MAX.accountName) return true;
  if ((key.ouPath?.length ?? 0) > TEXT_MAX || key.reason.length > TEXT_MAX || (key.exceptionId?.length ?? 0) > 256) return true;
  if (key.aliases.some((a) => a.length > AWS_MAX.alias) || key.ouIds.some((id) => id.length > 256)) return true;
  for (const text of [key.keyManager, key.keySpec, key.keyUsage, key.origin, key.keyState, key.primaryKeyArn, key.customKeyStoreId, key.ruleId]) if ((text?.length ?? 0) > 2048) return true;
  if (key.tags && Object.entries(key.tags).some(([k, v]) => k.length > AWS_MAX.tagKey || v.length > AWS_MAX.tagValue)) return true;
  if (key.error && boundedError(key.error) !== key.error) return true;
  return (key.inferences ?? []).some((text) => text.length > TEXT_MAX) || (key.evidenceGaps ?? []).some((gap) => boundedError(gap.error) !== gap.error);
}

/** The key with every text within its bound (the same object when nothing is too long: the common case costs a few comparisons). */
export function boundedKey(key: KeyResult): KeyResult {
  if (!overlong(key)) return key;
  const short = (text: string | null, max = 2048): string | null => bounded(text, max);
  return {
    ...key,
    accountName: bounded(key.accountName, AWS_MAX.accountName),
    ouPath: bounded(key.ouPath, TEXT_MAX),
    ouIds: key.ouIds.map((id) => bounded(id, 256)),
    aliases: key.aliases.map((alias) => bounded(alias, AWS_MAX.alias)),
    description: bounded(key.description, AWS_MAX.description),
    keyManager: short(key.keyManager),
    keySpec: short(key.keySpec),
    keyUsage: short(key.keyUsage),
    origin: short(key.origin),
    keyState: short(key.keyState),
    primaryKeyArn: short(key.primaryKeyArn),
    customKeyStoreId: short(key.customKeyStoreId),
    tags: key.tags ? Object.fromEntries(Object.entries(key.tags).map(([k, v]) => [bounded(k, AWS_MAX.tagKey), bounded(v, AWS_MAX.tagValue)])) : null,
    reason: bounded(key.reason, TEXT_MAX),
    ruleId: bounded(key.ruleId, 2048),
    exceptionId: bounded(key.exceptionId, 256),
    error: boundedError(key.error),
    ...(key.evidenceGaps ? { evidenceGaps: key.evidenceGaps.map((gap) => ({ ...gap, error: boundedError(gap.error) })) } : {}),
    ...(key.inferences ? { inferences: key.inferences.map((text) => bounded(text, TEXT_MAX)) } : {}),
  };
}

/** The header's coverage text within bounds (account names and OU paths as read from AWS; reasons and errors). */
function boundedHeader(header: ResultsHeader): ResultsHeader {
  const accounts = header.coverage.accounts;
  const regions = header.coverage.regions;
  const longAccount = (a: AccountCoverage): boolean =>
    (a.accountName?.length ?? 0) > AWS_MAX.accountName || (a.ouPath?.length ?? 0) > TEXT_MAX || (a.reason?.length ?? 0) > TEXT_MAX || (a.error !== null && boundedError(a.error) !== a.error);
  const longRegion = (r: RegionCoverage): boolean => (r.reason?.length ?? 0) > TEXT_MAX || (r.error !== null && boundedError(r.error) !== r.error);
  if (!accounts.some(longAccount) && !regions.some(longRegion)) return header;
  return {
    ...header,
    coverage: {
      ...header.coverage,
      accounts: accounts.map((a) => (longAccount(a) ? { ...a, accountName: bounded(a.accountName, AWS_MAX.accountName), ouPath: bounded(a.ouPath, TEXT_MAX), reason: bounded(a.reason, TEXT_MAX), error: boundedError(a.error) } : a)),
      regions: regions.map((r) => (longRegion(r) ? { ...r, reason: bounded(r.reason, TEXT_MAX), error: boundedError(r.error) } : r)),
    },
  };
}

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
  return boundedHeader(header as ResultsHeader);
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
  return boundedKey(key as KeyResult);
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
