/**
 * Aggregates for the PDF, built while the keys stream past once: counts by status, account and OU,
 * the reasons keys were not applicable, error codes, and the first N failing / error / exception rows.
 * Memory is bounded by the number of accounts and OUs plus the row cap, never by the number of keys.
 */
import { emptyStatusCounts, type KeyResult, type Status, type StatusCounts } from '../core/results.js';
import { errorHint, remediationParts } from '../rules/kms-002/remediation.js';
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
  /** A multi-Region replica listed because its primary FAIL (its own status is NOT_APPLICABLE). */
  throughPrimary?: boolean;
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
/** OUs tracked for the rolled-up chart at most (an organization has at most a few thousand). */
const MAX_OUS = 10_000;
/** Exception rows listed in the PDF at most (exceptions are reviewed in their register; all are in findings.csv). */
export const MAX_EXCEPTION_ROWS = 500;

/**
 * The status a key is counted with in the compliance share and the charts: its own, except a
 * multi-Region replica judged through its primary, which shares the primary's key material and is
 * counted with its set (KeyResult.primaryStatus). findings.csv keeps every key's own status.
 */
export function setStatus(key: Pick<KeyResult, 'status' | 'primaryStatus'>): Status {
  return key.status === 'NOT_APPLICABLE' && key.primaryStatus !== undefined ? key.primaryStatus : key.status;
}

/** Counts of an organizational unit with everything below it (OU paths from the root, by OU id). */
export interface OuNode {
  /** OU ids from the root down to this OU, joined by "/". */
  id: string;
  label: string;
  depth: number;
  /** Keys of the OU and every OU below it, counted with their set (setStatus). */
  counts: StatusCounts;
}

export class ReportSummary {
  readonly counts: StatusCounts = emptyStatusCounts();
  /** counts with each multi-Region replica counted with its primary's status (setStatus). */
  readonly setCounts: StatusCounts = emptyStatusCounts();
  /** Replicas counted with their primary, by the primary's status. */
  readonly replicas: StatusCounts = emptyStatusCounts();
  /** AWS managed keys: rotated by AWS every year, not customer-configurable (NOT_APPLICABLE under KMS-002). */
  awsManaged = 0;
  readonly replicasFailingByRule = new Map<string, number>();
  /** Organizational units with their keys rolled up (an OU's counts include every OU below it). */
  readonly ous = new Map<string, OuNode>();
  keys = 0;
  readonly byAccount = new Map<string, GroupCounts & { ouPath: string | null }>();
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
    const counted = setStatus(key);
    this.setCounts[counted]++;
    if (counted !== key.status) {
      this.replicas[counted]++;
      if (counted === 'FAIL') this.replicasFailingByRule.set(key.ruleId, (this.replicasFailingByRule.get(key.ruleId) ?? 0) + 1);
    }
    if (key.status === 'NOT_APPLICABLE' && key.keyManager === 'AWS') this.awsManaged++;
    this.addToOus(key, counted);
    this.regions.add(key.region);
    let account = this.byAccount.get(key.accountId);
    if (!account) {
      account = { label: key.accountName ?? key.accountId, ouPath: key.ouPath, counts: emptyStatusCounts() };
      this.byAccount.set(key.accountId, account);
    }
    account.counts[key.status]++;
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

    if ((key.status === 'FAIL' || key.status === 'ERROR' || counted === 'FAIL') && this.failingRows.length < this.maxDetailRows) {
      const action = key.status === 'FAIL' ? (remediationParts(key, this.maxRotationDays) ?? []) : key.status === 'ERROR' ? [errorHint(key)] : [`Fixed on its primary key ${key.primaryKeyArn ?? ''}: rotation is set there, and the replica follows.`];
      this.failingRows.push({ ...this.row(key, action), throughPrimary: counted !== key.status });
    }
    if (key.status === 'EXCEPTION' && this.exceptionRows.length < Math.min(this.maxDetailRows, MAX_EXCEPTION_ROWS)) {
      this.exceptionRows.push(this.row(key, key.exceptionId ? [key.exceptionId] : []));
    }
  }

  /** Rows of the failing-keys table: FAIL and ERROR keys, and replicas of failing primaries. */
  get failingTotal(): number {
    return this.counts.FAIL + this.counts.ERROR + this.replicas.FAIL;
  }

  /** Keys the rule applies to: everything but NOT_APPLICABLE. */
  get applicable(): number {
    return this.keys - this.counts.NOT_APPLICABLE;
  }

  /** Keys in the compliance share: the applicable keys and the replicas counted with their primary. */
  get applicableSets(): number {
    return this.keys - this.setCounts.NOT_APPLICABLE;
  }

  /** Replicas counted with their primary (any status). */
  get replicasCounted(): number {
    return Object.values(this.replicas).reduce((sum, n) => sum + n, 0);
  }

  replicasFailingFor(rule: string): number {
    return this.replicasFailingByRule.get(rule) ?? 0;
  }

  /** OUs in tree order (parents first, siblings by label), for the rolled-up chart. */
  ouTree(): OuNode[] {
    return [...this.ous.values()].sort((a, b) => {
      const pa = this.labelPath(a);
      const pb = this.labelPath(b);
      for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
      return pa.length - pb.length;
    });
  }

  private labelPath(node: OuNode): string[] {
    const ids = node.id.split('/');
    return ids.map((_, i) => this.ous.get(ids.slice(0, i + 1).join('/'))?.label ?? '');
  }

  /** Adds the key to its OU and every OU above it (bounded: one node per OU of the organization, capped). */
  private addToOus(key: KeyResult, counted: Status): void {
    const ids = key.ouIds;
    if (ids.length === 0) return;
    // Labels from the path when it has one segment per id (an OU name may contain "/"; then the ids label it).
    const names = key.ouPath?.split('/') ?? [];
    const labels = names.length === ids.length ? names : ids;
    for (let depth = 0; depth < ids.length; depth++) {
      const id = ids.slice(0, depth + 1).join('/');
      let node = this.ous.get(id);
      if (!node) {
        if (this.ous.size >= MAX_OUS) return;
        node = { id, label: labels[depth] ?? ids[depth]!, depth, counts: emptyStatusCounts() };
        this.ous.set(id, node);
      }
      node.counts[counted]++;
    }
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
