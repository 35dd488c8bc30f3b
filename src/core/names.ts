/**
 * One rule for names that become paths. A scan id names a run folder (<reports-root>/<scan id>/) and
 * an S3 prefix; shard index and count name part files (results.part-K-of-N.json); account ids and
 * regions name remediation scripts and S3 keys. Each is checked against its pattern wherever it is
 * read (flags, environment, config file, results and part files, S3 listings), and every path the
 * tool writes is checked to stay under the folder it was given (assertUnder).
 */
import { relative, resolve, sep, isAbsolute } from 'node:path';
import { UsageError } from './errors.js';

/** 1..128 of [A-Za-z0-9._-], starting with a letter or digit: safe as a folder name and in an S3 key. */
export const SCAN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SCAN_ID_EXPECTED = 'expected 1..128 letters, digits, ".", "_" or "-", starting with a letter or digit';
/** Names the reports root uses for itself: `latest` is the pointer to the newest run. */
export const RESERVED_SCAN_IDS: readonly string[] = ['latest'];
export const RESERVED_EXPECTED = 'expected a name other than "latest" (the pointer to the newest run)';

// The AWS ids the tool reads, checks or writes into scripts, defined here only: the config schema,
// the results check (src/core/results-validate.ts), the exceptions register and remediation use these.

/** Partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, ... (ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const PARTITION_PATTERN = /^aws(-[a-z]+)*$/;
/** Organizations account ids: 12 digits (Organizations API reference, Account.Id). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** Region names such as eu-west-1, us-gov-west-1, cn-north-1. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** OU ids (ou-xxxx-xxxxxxxx) and root ids (r-xxxx) (Organizations API reference, OrganizationalUnit.Id, Root.Id). */
export const OU_ID_PATTERN = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
/** KMS key ids: a UUID, or mrk- and 32 hex digits for multi-Region keys (KMS API reference, KeyMetadata.KeyId). */
export const KEY_ID_PATTERN = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** KMS key ARNs: arn:<partition>:kms:<region>:<account id>:key/<key id> (KMS API reference, KeyMetadata.Arn). */
export const KEY_ARN_PATTERN = new RegExp(`^arn:${inner(PARTITION_PATTERN)}:kms:${inner(REGION_PATTERN)}:${inner(ACCOUNT_ID_PATTERN)}:key/${inner(KEY_ID_PATTERN)}$`);
/** Alias names: alias/ and 1..250 of [a-zA-Z0-9/_-] (KMS API reference, CreateAlias AliasName). */
export const ALIAS_NAME_PATTERN = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
/** Alias patterns (an exceptions register's scope): alias names in which `*` matches any run of characters. */
export const ALIAS_GLOB_PATTERN = /^alias\/[A-Za-z0-9/_*-]{1,250}$/;
/** IAM role names: 1..64 of [\w+=,.@-] (IAM API reference, Role.RoleName). */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/** A whole-value pattern's body, to build a longer pattern from it. */
function inner(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}

/** Why `id` cannot be a scan id, or null when it can. */
export function scanIdProblem(id: unknown): string | null {
  if (typeof id !== 'string' || !SCAN_ID_PATTERN.test(id)) return SCAN_ID_EXPECTED;
  if (RESERVED_SCAN_IDS.includes(id)) return RESERVED_EXPECTED;
  return null;
}

/** `id` as a scan id, or a UsageError naming `where` (a file, a flag) and what was expected. */
export function checkScanId(id: unknown, where: string): string {
  const problem = scanIdProblem(id);
  if (problem) throw new UsageError(`${where}: ${problem}, got ${quote(id)}`);
  return id as string;
}

/**
 * `path` resolved, refused unless it is `root` itself or below it: no id read from a file can
 * make the tool write outside the folder it was given.
 */
export function assertUnder(root: string, path: string, what: string): string {
  const full = resolve(path);
  const rel = relative(resolve(root), full);
  if (rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))) return full;
  throw new UsageError(`${what}: ${full} is outside ${resolve(root)}; refused`);
}

/** A value for an error message: JSON-quoted, at most 64 characters, control characters escaped. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
