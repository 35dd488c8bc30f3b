/**
 * Aggregates for the PDF, built while the keys stream past once: counts by status, account and OU,
 * the reasons keys were not applicable, error codes, and the first N failing / error / exception rows.
 * Memory is bounded by the number of accounts and OUs plus the row cap, never by the number of keys.
 */
import { emptyStatusCounts, type KeyResult, type Status, type StatusCounts } from '../results/types.js';
import { errorHint, remediationParts } from './remediation.js';
import { reasonWithError } from './findings.js';

export interface DetailRow {
  status: Status;
  accountId: string;
  accountName: string | null;
  region: string;
  keyId: string;
  aliases: string[];
  reason: string;
  /** FAIL: the CLI command in groups (see remediationParts); ERROR: what to do; EXCEPTION: the exception id. */
  action: string[];
}

export interface GroupCounts {
  label: string;
  counts: StatusCounts;
}

export interface TrendInput {
  scanId: string;
  finishedAt: string;
  counts: StatusCounts;
  /** keyArns that were FAIL in the previous run. */
  failing: Set<string>;
}

export interface Trend {
  scanId: string;
  finishedAt: string;
  previous: StatusCounts;
  newlyFailing: number;
  stillFailing: number;
  resolved: number;
}

const MAX_DISTINCT = 50;
/** Exception rows listed in the PDF at most (exceptions are reviewed in their register; all are in findings.csv). */
export const MAX_EXCEPTION_ROWS = 500;

export class ReportSummary {
  readonly counts: StatusCounts = emptyStatusCounts();
  keys = 0;
  readonly byAccount = new Map<string, GroupCounts & { ouPath: string | null }>();
  readonly byOu = new Map<string, StatusCounts>();
  readonly byRule = new Map<string, StatusCounts>();
  /** NOT_APPLICABLE keys by category (the reason's label, see reasonCategory), with one full reason as example. */
  readonly notApplicableReasons = new Map<string, { count: number; example: string }>();
  readonly errorCodes = new Map<string, number>();
  /** Keys whose evidence could not all be read, by evidence and AWS code (`rotation history|AccessDeniedException`): never a status. */
  readonly evidenceGaps = new Map<string, number>();
  readonly failingRows: DetailRow[] = [];
  readonly exceptionRows: DetailRow[] = [];
  readonly regions = new Set<string>();
  /** PASS keys with at least one completed rotation on record (evidence, not just the flag). */
  passWithRotationEvidence = 0;
  private stillFailing = 0;

  constructor(
    private readonly maxRotationDays: number,
    private readonly maxDetailRows: number,
    private readonly previous: TrendInput | null = null,
  ) {}

  add(key: KeyResult): void {
    this.keys++;
    this.counts[key.status]++;
    this.regions.add(key.region);
    let account = this.byAccount.get(key.accountId);
    if (!account) {
      account = { label: key.accountName ?? key.accountId, ouPath: key.ouPath, counts: emptyStatusCounts() };
      this.byAccount.set(key.accountId, account);
    }
    account.counts[key.status]++;
    const ou = key.ouPath ?? '(no OU)';
    let ouCounts = this.byOu.get(ou);
    if (!ouCounts) {
      ouCounts = emptyStatusCounts();
      this.byOu.set(ou, ouCounts);
    }
    ouCounts[key.status]++;
    let ruleCounts = this.byRule.get(key.ruleId);
    if (!ruleCounts) {
      ruleCounts = emptyStatusCounts();
      this.byRule.set(key.ruleId, ruleCounts);
    }
    ruleCounts[key.status]++;

    if (key.status === 'NOT_APPLICABLE') {
      const category = capped(this.notApplicableReasons, reasonCategory(key.reason));
      const entry = this.notApplicableReasons.get(category);
      if (entry) entry.count++;
      else this.notApplicableReasons.set(category, { count: 1, example: key.reason });
    }
    if (key.status === 'PASS' && key.lastRotationDate) this.passWithRotationEvidence++;
    for (const gap of key.evidenceGaps ?? []) bump(this.evidenceGaps, `${gap.evidence}|${gap.error.code}`);
    if (key.status === 'ERROR') bump(this.errorCodes, key.error ? `${key.error.code} (${key.error.operation})` : 'unrecorded error');
    if (key.status === 'FAIL' && this.previous?.failing.has(key.keyArn)) this.stillFailing++;

    if ((key.status === 'FAIL' || key.status === 'ERROR') && this.failingRows.length < this.maxDetailRows) {
      this.failingRows.push(this.row(key, key.status === 'FAIL' ? (remediationParts(key, this.maxRotationDays) ?? []) : [errorHint(key)]));
    }
    if (key.status === 'EXCEPTION' && this.exceptionRows.length < Math.min(this.maxDetailRows, MAX_EXCEPTION_ROWS)) {
      this.exceptionRows.push(this.row(key, key.exceptionId ? [key.exceptionId] : []));
    }
  }

  get failingTotal(): number {
    return this.counts.FAIL + this.counts.ERROR;
  }

  /** Keys the rule applies to: everything but NOT_APPLICABLE. */
  get applicable(): number {
    return this.keys - this.counts.NOT_APPLICABLE;
  }

  countsForRule(rule: string): StatusCounts {
    return this.byRule.get(rule) ?? emptyStatusCounts();
  }

  trend(): Trend | null {
    const p = this.previous;
    if (!p) return null;
    return {
      scanId: p.scanId,
      finishedAt: p.finishedAt,
      previous: p.counts,
      stillFailing: this.stillFailing,
      newlyFailing: this.counts.FAIL - this.stillFailing,
      resolved: p.failing.size - this.stillFailing,
    };
  }

  private row(key: KeyResult, action: string[]): DetailRow {
    return {
      status: key.status,
      accountId: key.accountId,
      accountName: key.accountName,
      region: key.region,
      keyId: key.keyId,
      aliases: key.aliases,
      reason: reasonWithError(key),
      action,
    };
  }
}

/** Distinct values up to a cap; the rest fold into one bucket so untrusted text cannot grow a map. */
function capped(map: Map<string, unknown>, value: string): string {
  return map.has(value) || map.size < MAX_DISTINCT ? value : '(other)';
}

function bump(map: Map<string, number>, value: string): void {
  const key = capped(map, value);
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * The label of a reason: rule reasons read "Label (details): explanation" (e.g. "Pending deletion
 * (deletion date …): …", "Multi-Region replica key: …"), so the text before the first "(" or ":"
 * groups keys by cause without the key-specific details. A reason without that shape is its own group.
 */
export function reasonCategory(reason: string): string {
  const cut = reason.search(/\s*[(:]/);
  const label = cut > 0 ? reason.slice(0, cut).trim() : reason.trim();
  return label.length > 0 && label.length <= 80 ? label : reason.slice(0, 120);
}
