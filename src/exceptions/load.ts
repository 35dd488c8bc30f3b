/**
 * Loads the exceptions register. Every problem — malformed YAML, an unknown field, a bad id or
 * date, an overlong or empty-scoped entry — is a UsageError `file:line: key.path: what is wrong`,
 * raised before the scan makes any AWS call.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { isScalar, visit } from 'yaml';
import type { z } from 'zod';
import { at, issueLine, lineAt, parseYaml, readInputFile, yamlToJs, type KeyPath, type LocatedYaml } from '../io/yaml.js';
import { UsageError } from '../core/errors.js';
import { dayNumber, formatDay, today } from './dates.js';
import { ENTRY_FIELDS, SCOPE_KINDS, registerFileSchema, type RegisterFile } from './schema.js';
import type { ExceptionEntry, ExceptionRegister } from './types.js';

export const DEFAULT_EXCEPTION_MAX_DAYS = 365;

export interface LoadExceptionsOptions {
  /** Longest allowed span from `created` to `expires`, in days (default 365). */
  maxDays?: number;
  now: Date;
}

export async function loadExceptions(path: string, opts: LoadExceptionsOptions): Promise<ExceptionRegister> {
  const maxDays = opts.maxDays ?? DEFAULT_EXCEPTION_MAX_DAYS;
  if (!Number.isInteger(maxDays) || maxDays < 1) {
    throw new UsageError(`--exception-max-days: expected a positive whole number of days, got ${String(maxDays)}`);
  }
  // The digest is of the bytes parsed here, so the report cites exactly the register that was applied.
  const bytes = await readInputFile(path, 'exceptions register');
  const file = { name: basename(path), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const located = parseYaml(bytes.toString('utf8'), path);
  if (located.doc.contents === null) throw new UsageError(`${path}: empty exceptions register (expected an "exceptions:" list; "exceptions: []" for none)`);
  keepScalarsAsWritten(located);
  const parsed = registerFileSchema.safeParse(yamlToJs(located.doc, path), { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    throw new UsageError(`${at(path, issueLine(located, issue))}: ${describeIssue(issue)}`);
  }
  const entries = parsed.data.exceptions.map((entry, index) => toEntry(entry, lineAt(located, ['exceptions', index])));
  checkEntries(located, entries, maxDays, opts.now);
  return { source: path, file, maxDays, entries };
}

/**
 * Every value in the register is text. With the YAML core schema an unquoted `012345678901`
 * would be read as the number 12345678901 (and `true` as a boolean); take the characters as
 * written instead, so account ids keep their leading zeros and tag values stay strings.
 */
function keepScalarsAsWritten(located: LocatedYaml): void {
  visit(located.doc, {
    Scalar(_key, node) {
      if (isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean')) {
        node.value = node.source ?? String(node.value);
      }
    },
  });
}

function toEntry(entry: RegisterFile['exceptions'][number], line: number | undefined): ExceptionEntry {
  return { ...entry, line: line ?? null };
}

function checkEntries(located: LocatedYaml, entries: ExceptionEntry[], maxDays: number, now: Date): void {
  const fail = (path: KeyPath, message: string): never => {
    throw new UsageError(`${at(located.file, lineAt(located, path))}: ${path.map(String).join('.')}: ${message}`);
  };
  const seen = new Map<string, number | null>();
  const todayNo = today(now);
  entries.forEach((entry, index) => {
    const base = ['exceptions', index];
    const previous = seen.get(entry.id);
    if (previous !== undefined) fail([...base, 'id'], `duplicate id "${entry.id}" (also used by the entry at line ${previous ?? '?'})`);
    seen.set(entry.id, entry.line);
    if (!SCOPE_KINDS.some((kind) => entry.scope[kind] !== undefined)) {
      fail([...base, 'scope'], `empty scope: it would match every key; give at least one of ${SCOPE_KINDS.join(', ')}`);
    }
    const created = dayNumber(entry.created)!;
    const expires = dayNumber(entry.expires)!;
    // A created date in the future would stretch the maximum (created 2099-01-01, expires 2099-12-31).
    // One day of slack: an approver ahead of UTC may date the entry tomorrow.
    if (created > todayNo + 1) fail([...base, 'created'], `created ${entry.created} is in the future (today is ${formatDay(todayNo)} UTC); record approvals already given`);
    if (expires < created) fail([...base, 'expires'], `expires ${entry.expires} is before created ${entry.created}`);
    if (expires - created > maxDays) {
      fail([...base, 'expires'], `expires ${entry.expires} is ${expires - created} days after created ${entry.created}; the maximum is ${maxDays} days (--exception-max-days)`);
    }
    if (entry.approved !== undefined) {
      // An entry records an approval already given: the register must not carry an exception before it was approved,
      // and an old approval must not stretch the maximum (approved 2025-01-01, created and expiring a year later).
      const approved = dayNumber(entry.approved)!;
      if (approved > created) fail([...base, 'approved'], `approved ${entry.approved} is after created ${entry.created}; record the entry on or after the day it was approved`);
      if (expires - approved > maxDays) {
        fail([...base, 'expires'], `expires ${entry.expires} is ${expires - approved} days after approved ${entry.approved}; the maximum is ${maxDays} days (--exception-max-days)`);
      }
    }
  });
}

/** A misspelt field shows up as "missing x" and "unknown field y" in one map: the unknown field says more. */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  if ((first as { input?: unknown }).input !== undefined) return first;
  const parent = first.path.slice(0, -1).map(String).join('.');
  return issues.find((issue) => issue.code === 'unrecognized_keys' && issue.path.map(String).join('.') === parent) ?? first;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = String(issue.keys[0]);
    return `${where ? `${where}.` : ''}${key}: unknown field (expected one of: ${knownFields(issue.path).join(', ')})`;
  }
  const input = (issue as { input?: unknown }).input;
  const got = typeof input === 'string' && issue.code !== 'invalid_type' ? `, got ${JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input)}` : '';
  return `${where ? `${where}: ` : ''}${issue.message}${got}`;
}

function knownFields(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return ['exceptions'];
  if (path.length === 2) return ENTRY_FIELDS;
  return SCOPE_KINDS;
}
