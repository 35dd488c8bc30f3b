/**
 * Re-judging a results document: every key's status is computed again from its own recorded facts
 * with the rule (src/rules) and the policy recorded in the header (maxRotationDays,
 * evaluateDisabled, the exceptions register as the scan applied it, at the time it applied it).
 * A stored status that disagrees was edited after the scan (or written by a different rule):
 * `report --from` refuses it, naming the key, and `verify` reports it.
 *
 * Only the status is compared (and the exception id of an EXCEPTION): reason texts may be worded
 * differently by another tool version without changing the judgement.
 *
 * A multi-Region replica's `primaryStatus` (the status of the primary it shares key material with,
 * src/engine/multi-region.ts markReplicas) is a claim about another row: it must be the status that
 * row carries in the same document, checked once every key has been read.
 */
import type { KeyFacts } from '../collect/facts.js';
import { applyExceptions, type ExceptionRegister, type ExceptionsSummary } from '../exceptions/index.js';
import { readExceptionsSummary } from '../exceptions/summary.js';
import { judgeSafely, ruleById, type RulePolicy } from '../rules/index.js';
import { Status, type KeyResult, type ResultsHeader } from '../core/results.js';

/** Disagreements listed by name (the count is always complete). */
export const MAX_LISTED_DISAGREEMENTS = 50;

export interface Disagreement {
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
  stored: string;
  expected: Status;
  /** Why the expected status differs, in a few words (the rule's reason, or what could not be re-judged). */
  note: string;
}

export interface RejudgeReport {
  keys: number;
  disagreements: number;
  /** The first MAX_LISTED_DISAGREEMENTS, in document order. */
  listed: Disagreement[];
}

/** What a results key says about the key, as the collector recorded it: the rule's input. */
export function factsOf(key: KeyResult): KeyFacts {
  if (key.error) {
    return { keyId: key.keyId, keyArn: key.keyArn, aliases: key.aliases, metadata: null, rotation: null, tags: key.tags, failure: { kind: key.error.code === 'NotFoundException' ? 'deleted' : 'call-failed', error: key.error }, evidenceGaps: key.evidenceGaps ?? [], inferences: key.inferences ?? [] };
  }
  return {
    keyId: key.keyId,
    keyArn: key.keyArn,
    aliases: key.aliases,
    metadata: {
      keyManager: key.keyManager,
      keySpec: key.keySpec,
      keyUsage: key.keyUsage,
      origin: key.origin,
      keyState: key.keyState,
      enabled: key.enabled,
      multiRegionType: key.multiRegionType,
      primaryKeyArn: key.primaryKeyArn,
      customKeyStoreId: key.customKeyStoreId,
      creationDate: key.creationDate,
      deletionDate: key.deletionDate,
      description: key.description,
      // Members AWS sent that the model does not list make the key ERROR, and a stored ERROR is not re-judged (below).
      unknownMembers: [],
    },
    rotation:
      key.rotationEnabled === null
        ? null
        : {
            enabled: key.rotationEnabled,
            periodDays: key.rotationPeriodDays,
            nextRotationDate: key.nextRotationDate,
            onDemandRotationStartDate: key.onDemandRotationStartDate,
            lastRotationDate: key.lastRotationDate,
            lastRotationType: key.lastRotationType,
          },
    tags: key.tags,
    failure: null,
    evidenceGaps: key.evidenceGaps ?? [],
    inferences: key.inferences ?? [],
  };
}

export class Rejudge {
  private readonly policy: RulePolicy;
  private readonly register: ExceptionRegister | null;
  private readonly registerTime: Date | null;
  private keys = 0;
  private disagreements = 0;
  private readonly listed: Disagreement[] = [];
  /** Statuses of multi-Region primaries, and replicas' claims about them (bounded by multi-Region keys). */
  private readonly primaries = new Map<string, Status>();
  private readonly replicaClaims: { where: Omit<Disagreement, 'expected' | 'note'>; primaryArn: string; claimed: Status }[] = [];

  constructor(header: ResultsHeader, file: string) {
    this.policy = { maxRotationDays: header.parameters.maxRotationDays, evaluateDisabled: header.parameters.evaluateDisabled };
    const summary = readExceptionsSummary(header.extensions, file);
    this.register = summary ? registerOf(summary) : null;
    this.registerTime = summary ? new Date(summary.evaluatedAt) : null;
  }

  /** The key's disagreement, or null when its stored status is the one its facts give. */
  check(key: KeyResult): Disagreement | null {
    this.keys++;
    if (key.multiRegionType === 'PRIMARY') this.primaries.set(key.keyArn, key.status);
    const found = this.judge(key);
    if (found) this.record(found);
    else if (key.primaryStatus !== undefined) {
      const where = { accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.keyArn, stored: `primary ${key.primaryStatus}` };
      this.replicaClaims.push({ where, primaryArn: key.primaryKeyArn ?? '', claimed: key.primaryStatus });
    }
    return found;
  }

  /** The count and list of disagreements, replicas' claims about their primaries included (so: after the last key). */
  report(): RejudgeReport {
    for (const claim of this.replicaClaims.splice(0)) {
      const actual = this.primaries.get(claim.primaryArn);
      if (actual === claim.claimed) continue;
      const note = actual === undefined ? `its primary ${claim.primaryArn || '(not named)'} is not a multi-Region primary of this document` : `its primary ${claim.primaryArn} is stored as ${actual}`;
      this.record({ ...claim.where, expected: actual ?? Status.Error, note });
    }
    return { keys: this.keys, disagreements: this.disagreements, listed: [...this.listed] };
  }

  private record(found: Disagreement): void {
    this.disagreements++;
    if (this.listed.length < MAX_LISTED_DISAGREEMENTS) this.listed.push(found);
  }

  private judge(key: KeyResult): Disagreement | null {
    // A stored ERROR claims nothing ("could not check"): the facts that made it ERROR (an incomplete
    // answer, a key still being created, an unreadable multi-Region primary) are not all kept on the
    // row, so it is not re-judged. Every other status must follow from the key's own facts.
    if (key.status === Status.Error) return null;
    if (key.primaryStatus !== undefined && (key.status !== Status.NotApplicable || key.multiRegionType !== 'REPLICA')) {
      return { accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.keyArn, stored: `${key.status} with primaryStatus`, expected: key.status, note: 'only a multi-Region replica judged through its primary carries a primary status' };
    }
    const where = { accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.keyArn, stored: String(key.status) };
    const rule = ruleById(key.ruleId);
    if (!rule) return { ...where, expected: Status.Error, note: `rule ${JSON.stringify(key.ruleId)} is not known to this tool, so the key cannot be re-judged` };
    const judgement = judgeSafely(rule, factsOf(key), this.policy);
    let expected: Status = judgement.status;
    let exceptionId: string | null = null;
    let note = judgement.reason;
    if (expected === Status.Fail && this.register && this.registerTime) {
      const excepted = applyExceptions({ ...key, status: Status.Fail, exceptionId: null }, this.register, this.registerTime);
      if (excepted.status === Status.Exception) {
        expected = Status.Exception;
        exceptionId = excepted.exceptionId;
        note = `covered by exception ${exceptionId ?? ''}`.trim();
      }
    }
    if (key.status === expected && (expected !== Status.Exception || key.exceptionId === exceptionId)) return null;
    if (key.status === expected) note = `covered by exception ${exceptionId ?? '(none)'}, not ${key.exceptionId ?? '(none)'}`;
    return { ...where, expected, note };
  }
}

function registerOf(summary: ExceptionsSummary): ExceptionRegister {
  return {
    source: summary.source,
    maxDays: summary.maxDays,
    entries: summary.entries.map((entry) => ({ id: entry.id, scope: entry.scope, reason: entry.reason, approver: entry.approver, ticket: entry.ticket, created: entry.created, expires: entry.expires, line: null })),
  };
}

/** `111122223333 eu-west-1 1234abcd-…: stored PASS, its facts give FAIL (Automatic key rotation is disabled …)`. */
export function describeDisagreement(d: Disagreement): string {
  return `key ${d.keyArn}: stored ${d.stored}, its facts give ${d.expected} (${d.note})`;
}
