/**
 * The register file's schema (issue #6): strict, so an unknown or misspelt field is an error
 * rather than a silently ignored scope that would widen what an entry covers.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, ALIAS_GLOB_PATTERN, KEY_ARN_PATTERN, OU_ID_PATTERN } from '../core/names.js';
import { dayNumber } from './dates.js';

const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const SCOPE_KINDS = ['accounts', 'ous', 'keys', 'aliases', 'tags'] as const;
export const ENTRY_FIELDS = ['id', 'scope', 'reason', 'approver', 'ticket', 'created', 'expires', 'approved', 'riskOwner', 'compensatingControl'] as const;

function text(what: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `missing ${what}` : `expected ${what} as text`) })
    .trim()
    .min(1, `expected ${what}, got an empty value`)
    .max(max, `${what} is longer than ${max} characters`);
}

function list(pattern: RegExp, expected: string) {
  return z
    .array(z.string({ error: `expected ${expected}` }).regex(pattern, `expected ${expected}`), { error: `expected a list of ${expected}s` })
    .min(1, 'empty list: leave the kind out instead');
}

function date(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `missing ${what} date` : `expected the ${what} date as YYYY-MM-DD`) })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `expected the ${what} date as YYYY-MM-DD`)
    .refine((value) => dayNumber(value) !== null, `${what} is not a calendar date`);
}

const scopeSchema = z.strictObject(
  {
    accounts: list(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account id').optional(),
    ous: list(OU_ID_PATTERN, 'an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)').optional(),
    keys: list(KEY_ARN_PATTERN, 'a KMS key ARN (arn:aws:kms:<region>:<account id>:key/<key id>)').optional(),
    aliases: list(ALIAS_GLOB_PATTERN, 'an alias pattern such as alias/legacy-* (letters, digits, / _ - and *)').optional(),
    tags: z
      .record(
        z.string().min(1, 'empty tag key').max(128, 'tag key longer than 128 characters'),
        z.string({ error: 'expected the tag value as text' }).max(256, 'tag value longer than 256 characters'),
        { error: 'expected a map of tag key: value' },
      )
      .refine((tags) => Object.keys(tags).length > 0, 'empty map: leave the kind out instead')
      .optional(),
  },
  { error: (issue) => (issue.input === undefined ? 'missing scope' : 'expected a map of accounts, ous, keys, aliases, tags') },
);

const entrySchema = z.strictObject(
  {
    id: z.string({ error: (issue) => (issue.input === undefined ? 'missing id' : 'expected the id as text') }).regex(ENTRY_ID, 'expected an id of letters, digits and . _ : - (at most 64), e.g. EX-2026-001'),
    scope: scopeSchema,
    reason: text('reason', 2000),
    approver: text('approver', 256),
    ticket: text('ticket', 256),
    created: date('created'),
    expires: date('expires'),
    // Optional (issue 11): when the approval was given, who owns the risk, what mitigates it meanwhile.
    approved: date('approved').optional(),
    riskOwner: text('riskOwner', 256).optional(),
    compensatingControl: text('compensatingControl', 2000).optional(),
  },
  { error: 'expected an entry (a map with id, scope, reason, approver, ticket, created, expires; optionally approved, riskOwner, compensatingControl)' },
);

export const registerFileSchema = z.strictObject(
  { exceptions: z.array(entrySchema, { error: (issue) => (issue.input === undefined ? 'missing "exceptions:" list' : 'expected a list of entries') }) },
  { error: 'expected a map with an "exceptions:" list' },
);

export type RegisterFile = z.output<typeof registerFileSchema>;
