/**
 * The exceptions register: approved, time-limited exceptions to KMS-002, loaded from a YAML file
 * (`--exceptions FILE`). Field names are fixed so registers can be shared between teams and tools.
 */

/** Which keys an entry covers: a key matches when every kind given matches (kinds left out do not constrain). */
export interface ExceptionScope {
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
}

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
  /** Line of the entry in its file (for messages); null when built in code. */
  line: number | null;
}

export interface ExceptionRegister {
  /** The file it was loaded from (for messages and reports). */
  source: string;
  /** The longest allowed time from `created` to `expires`, in days. */
  maxDays: number;
  entries: ExceptionEntry[];
}

export type ExceptionState = 'active' | 'expiring-soon' | 'expired';
