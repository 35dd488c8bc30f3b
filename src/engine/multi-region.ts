/**
 * Multi-Region key sets, judged once each, through their primary, wherever the primary is.
 *
 * Rotation of a multi-Region key is set on its primary; replicas share it (KMS developer guide,
 * https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-manage.html). Replicas
 * always live in the primary's account (ReplicateKey is not cross-account: KMS API reference,
 * ReplicateKey), so the account's session can always read the primary. After every region of an account is judged:
 *
 * - a replica whose primary is in scope is NOT_APPLICABLE naming the primary's ARN and verdict;
 * - a primary outside the scan's regions is read by its ARN in its own region (DescribeKey,
 *   GetKeyRotationStatus, ListKeyRotations) and judged; its row says why it was read;
 * - a primary that cannot be read, or is judged ERROR, makes its replicas ERROR (never NOT_APPLICABLE);
 * - a set where no key claims to be the primary (DescribeKey may show both keys as REPLICA during
 *   UpdatePrimaryRegion: KMS developer guide, "Updating the primary Region") is read once more
 *   after the rest, then its replicas are ERROR "no primary found".
 */
import type { KeyFacts } from '../collect/facts.js';
import type { SafeJudgement } from '../rules/index.js';
import { Status, type AwsErrorRecord, type KeyResult } from '../core/results.js';

/** One judged key of the account, before the stages (exceptions) and the spool. */
export interface JudgedKey {
  region: string;
  facts: KeyFacts;
  judgement: SafeJudgement;
  result: KeyResult;
}

export interface MultiRegionIo {
  accountId: string;
  /** Reads and judges one key by its ARN in the ARN's region (collectKeyByArn + the rule). */
  readByArn(arn: string): Promise<JudgedKey>;
}

/** Resolves every replica of `keys` in place; returns the primaries read outside the scan's keys (to add as rows). */
export async function resolveMultiRegion(keys: JudgedKey[], io: MultiRegionIo): Promise<JudgedKey[]> {
  const replicas = keys.filter((key) => key.judgement.judgedThroughPrimary !== undefined && key.result.status === Status.NotApplicable);
  if (replicas.length === 0) return [];
  const primaries = new PrimaryLookup(keys, io);
  await primaries.lookUp([...new Set(replicas.map((r) => r.judgement.judgedThroughPrimary).filter((arn): arn is string => typeof arn === 'string'))]);
  for (const replica of replicas) settleReplica(replica, primaries);
  noteReadForReplicas(primaries.extra, replicas);
  // Only primaries are added as rows: a key outside the scan that is no primary is no key in scope.
  return [...primaries.extra.values()].filter(isPrimary);
}

function isPrimary(key: JudgedKey | undefined): boolean {
  return key?.facts.metadata?.multiRegionType === 'PRIMARY';
}

/** The primaries the replicas name: among the account's judged keys, read by ARN (`extra`), or unreadable with the error. */
class PrimaryLookup {
  private readonly byArn = new Map<string, JudgedKey>();
  readonly extra = new Map<string, JudgedKey>();
  readonly unreadable = new Map<string, AwsErrorRecord>();

  constructor(
    keys: readonly JudgedKey[],
    private readonly io: MultiRegionIo,
  ) {
    for (const key of keys) this.byArn.set(key.result.keyArn, key);
  }

  /** The key as last read (read by ARN, else judged with the account's regions). */
  current(arn: string): JudgedKey | undefined {
    return this.extra.get(arn) ?? this.byArn.get(arn);
  }

  isExtra(arn: string): boolean {
    return this.extra.has(arn);
  }

  async lookUp(wanted: readonly string[]): Promise<void> {
    // First look: primaries not among the account's judged keys.
    for (const arn of wanted) if (!this.byArn.has(arn)) await this.read(arn);
    // Second look, once, for sets where the named key does not claim to be the primary.
    for (const arn of wanted) {
      const named = this.current(arn);
      if (named && !isPrimary(named) && !this.unreadable.has(arn)) await this.read(arn);
    }
  }

  private async read(arn: string): Promise<void> {
    if (arnAccount(arn) !== this.io.accountId) {
      this.unreadable.set(arn, { code: 'PrimaryInOtherAccount', message: `The primary key ${arn} is not in this account (ReplicateKey is not cross-account).`, operation: 'kms:DescribeKey' });
      return;
    }
    const judged = await this.io.readByArn(arn);
    this.unreadable.delete(arn);
    if (judged.facts.metadata === null) {
      // Not described: its replicas are ERROR. (Described but not judgeable, e.g. GetKeyRotationStatus
      // denied: the primary's row is ERROR, and so are its replicas: settleReplica.)
      this.unreadable.set(arn, judged.result.error ?? { code: 'IncompleteResponse', message: judged.result.reason, operation: 'kms:DescribeKey' });
      return;
    }
    const inScope = this.byArn.get(arn);
    if (inScope && !this.extra.has(arn)) {
      // Read again (the second look of a set without a primary): the fresh answer replaces the row.
      Object.assign(inScope, { facts: judged.facts, judgement: judged.judgement, result: judged.result });
      return;
    }
    this.extra.set(arn, judged);
  }
}

/** A replica's final row: NOT_APPLICABLE naming its primary's verdict, or ERROR saying why there is none. */
function settleReplica(replica: JudgedKey, primaries: PrimaryLookup): void {
  // Read again as the primary (a set seen mid-UpdatePrimaryRegion that settled): judged already.
  if (replica.judgement.judgedThroughPrimary === undefined) return;
  const arn = replica.judgement.judgedThroughPrimary;
  const r = replica.result;
  if (typeof arn !== 'string') {
    setError(r, 'Could not check: this multi-Region replica did not name its primary key (DescribeKey MultiRegionConfiguration.PrimaryKey), so no primary was found.', {
      code: 'NoPrimaryFound',
      message: 'DescribeKey answered a REPLICA without MultiRegionConfiguration.PrimaryKey.Arn.',
      operation: 'kms:DescribeKey',
    });
    return;
  }
  const failed = primaries.unreadable.get(arn);
  if (failed) {
    setError(r, `Could not check: its primary key ${arn} could not be read (${failed.operation} failed with ${failed.code}); a replica's rotation is its primary's.`, failed);
    return;
  }
  const primary = primaries.current(arn);
  if (!primary || !isPrimary(primary)) {
    setNoPrimary(r, arn, primary);
    return;
  }
  const verdict = primary.result.status;
  if (verdict === Status.Error) {
    const e = primary.result.error ?? { code: 'PrimaryNotJudged', message: primary.result.reason, operation: 'kms:GetKeyRotationStatus' };
    setError(r, `Could not check: its primary key ${arn} could not be judged (${e.operation} failed with ${e.code}); a replica's rotation is its primary's.`, e);
    return;
  }
  r.reason = `Multi-Region replica key: rotation is set on its primary key ${arn}, judged ${verdict} in ${primary.region}${primaries.isExtra(arn) ? ' (read for this replica: its region is outside the scan)' : ''}.`;
}

/** The named key does not claim to be the primary, also when read again (or was not found at all). */
function setNoPrimary(result: KeyResult, arn: string, named: JudgedKey | undefined): void {
  const says = named?.facts.metadata?.multiRegionType ?? 'no multi-Region type';
  const names = named?.facts.metadata?.primaryKeyArn;
  setError(result, `Could not check: no primary found for this multi-Region key: ${arn} says ${says}${names ? ` naming ${names}` : ''}, also when read again later in the scan (an UpdatePrimaryRegion in progress shows both keys as replicas).`, {
    code: 'NoPrimaryFound',
    message: `${arn} does not claim to be the primary key.`,
    operation: 'kms:DescribeKey',
  });
}

/** Each key read outside the scan's regions records the replicas it was read for; a primary's row says why it is there. */
function noteReadForReplicas(extra: ReadonlyMap<string, JudgedKey>, replicas: readonly JudgedKey[]): void {
  for (const [arn, judged] of extra) {
    const pointing = replicas.filter((r) => r.judgement.judgedThroughPrimary === arn).map((r) => r.result.keyArn).sort();
    judged.facts.readForReplicaOf = pointing;
    if (isPrimary(judged)) judged.result.reason = `${judged.result.reason} Read outside the scan's regions because ${pointing.length === 1 ? 'a replica' : 'replicas'} in scope name${pointing.length === 1 ? 's' : ''} it as primary: ${pointing.join(', ')}.`;
  }
}

/**
 * Each replica judged through a primary (NOT_APPLICABLE on its own facts) records the status its
 * primary is reported with, after the stages (an exception on the primary included): the replica
 * shares the primary's key material and rotation, so the reports show and count it with that status.
 * `report --from` checks the claim against the primary's own row (src/evidence/rejudge.ts).
 */
export function markReplicas(keys: readonly JudgedKey[]): void {
  const byArn = new Map(keys.map((key) => [key.result.keyArn, key.result]));
  for (const key of keys) {
    const arn = key.judgement.judgedThroughPrimary;
    if (typeof arn !== 'string' || key.result.status !== Status.NotApplicable) continue;
    const primary = byArn.get(arn);
    if (!primary) continue;
    key.result.primaryStatus = primary.status;
    if (primary.status === Status.Exception) key.result.reason += ` The primary is reported as EXCEPTION (${primary.exceptionId ?? 'exception id not recorded'}).`;
  }
}

function setError(result: KeyResult, reason: string, error: AwsErrorRecord): void {
  result.status = Status.Error;
  result.reason = reason;
  result.error = error;
}

function arnAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

export function arnRegion(arn: string): string {
  return arn.split(':')[3] ?? '';
}
