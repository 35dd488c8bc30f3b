/**
 * The exceptions register: approved, time-limited exceptions to KMS-002, loaded from a YAML file
 * (`--exceptions FILE`). Field names are fixed so registers can be shared between teams and tools.
 */
import type { NamedFileDigest } from '../io/files.js';

/**
 * Which keys an entry covers: a key matches when every kind given matches (kinds left out do not
 * constrain). A type, not an interface, so it fits the summary's schema (src/exceptions/summary.ts).
 */
export type ExceptionScope = {
  /** 12-digit account ids: the key's account is one of them. */
  accounts?: string[];
  /** OU or root ids (`ou-…`, `r-…`): the key's account is anywhere below one of them. */
  ous?: string[];
  /** Key ARNs: the key is one of them. */
  keys?: string[];
  /** Alias patterns (`alias/legacy-*`, `*` matches any run of characters): any alias of the key matches one. */
  aliases?: string[];
  /** Tag key → value: the key carries every one of these tags with exactly this value. */
  tags?: Record<string, string>;
};

export interface ExceptionEntry {
  id: string;
  scope: ExceptionScope;
  reason: string;
  approver: string;
  ticket: string;
  /** `YYYY-MM-DD` (UTC calendar date). */
  created: string;
  /** `YYYY-MM-DD`, inclusive: the entry applies through the whole of this day (UTC). */
  expires: string;
  /** `YYYY-MM-DD`: when the approval was given; on or before `created` (an entry records an approval already given). */
  approved?: string;
  /** Who accepts the risk while the exception lasts (a name, role or team). */
  riskOwner?: string;
  /** What reduces the risk meanwhile (e.g. "key material re-wrapped by the vendor appliance every 90 days"). */
  compensatingControl?: string;
  /** Line of the entry in its file (for messages); null when built in code. */
  line: number | null;
}

export interface ExceptionRegister {
  /** The file it was loaded from, as given (for messages). */
  source: string;
  /** The file's base name, size and SHA-256 of the bytes the scan parsed (null when built in code). */
  file?: NamedFileDigest | null;
  /** The longest allowed time from `created` to `expires`, in days. */
  maxDays: number;
  entries: ExceptionEntry[];
}

export const EXCEPTION_STATES = ['active', 'expiring-soon', 'expired'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];
