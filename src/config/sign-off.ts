/**
 * Sign-off of a report: who prepared, reviewed and approved it (preparedBy, reviewedBy, approvedBy).
 * In a config file each is a mapping `{ name, role, date }` (date optional) or the one-line form of
 * the flags, "Name, Role, YYYY-MM-DD" (date optional). Absent: the report prints blank lines to sign.
 */
import { z } from 'zod';

export interface SignOffEntry {
  name: string;
  role: string;
  /** YYYY-MM-DD; null: to be dated by hand. */
  date: string | null;
}

export interface SignOff {
  preparedBy: SignOffEntry | null;
  reviewedBy: SignOffEntry | null;
  approvedBy: SignOffEntry | null;
}

export const SIGN_OFF_EXPECTED = 'expected "Name, Role" or "Name, Role, YYYY-MM-DD" (or a mapping with name, role and an optional date)';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(value: string): boolean {
  return DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

/** "Jane Doe, Head of Internal Audit, 2026-12-08": the first part is the name, a last part that is a date the date, the rest the role. */
export function parseSignOffText(text: string): SignOffEntry | null {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) return null;
  const last = parts.at(-1)!;
  const date = parts.length >= 3 && DATE.test(last) ? last : null;
  if (date !== null && !isDate(date)) return null;
  const name = parts[0]!;
  const role = parts.slice(1, date ? -1 : undefined).join(', ');
  if (!role) return null;
  return { name, role, date };
}

const field = z.string().trim().min(1).max(120);

/** The schema of one sign-off option (a config-file mapping or the flag's text). */
export const signOffSchema = z
  .union([
    z.string().max(300).refine((text) => parseSignOffText(text) !== null, SIGN_OFF_EXPECTED),
    z.strictObject({ name: field, role: field, date: z.string().refine(isDate, 'expected a date YYYY-MM-DD').nullable().optional() }),
  ], { error: SIGN_OFF_EXPECTED })
  .nullable()
  .default(null);

export type SignOffValue = z.output<typeof signOffSchema>;

export function signOffEntry(value: SignOffValue | undefined): SignOffEntry | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return parseSignOffText(value);
  return { name: value.name.trim(), role: value.role.trim(), date: value.date ?? null };
}

export function signOffOf(config: { preparedBy?: SignOffValue; reviewedBy?: SignOffValue; approvedBy?: SignOffValue }): SignOff {
  return { preparedBy: signOffEntry(config.preparedBy), reviewedBy: signOffEntry(config.reviewedBy), approvedBy: signOffEntry(config.approvedBy) };
}
