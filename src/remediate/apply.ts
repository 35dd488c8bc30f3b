/**
 * Carries a plan out key by key through a write session per account: read the rotation status,
 * leave a key that is already compliant, enable rotation (with RotationPeriodInDays when the plan
 * says so), read the status again to verify, and log every key to the audit log. A key that fails
 * is recorded and the others go on; the caller turns failures into a non-zero exit.
 */
import { toErrorRecord } from '../aws/errors.js';
import { forEachLimit } from '../core/pool.js';
import type { AwsErrorRecord } from '../core/results.js';
import { AuditLog, type AuditOutcome, type AuditRecord, type RotationState } from './audit-log.js';
import { isCompliant } from '../rules/kms-002/period.js';
import { byAccount, type PlanItem, type RemediationPlan } from './plan.js';

/** One account's write session. */
export interface AccountWriter {
  /** The session's identity (sts:GetCallerIdentity), for the audit log. */
  callerArn: string;
  getRotationStatus(region: string, keyId: string): Promise<RotationState>;
  enableRotation(region: string, keyId: string, periodDays: number | null): Promise<void>;
}

/** Opens write sessions (AssumeRole into the write role); errors should carry the failed operation. */
export interface WriteAccess {
  roleArnFor(accountId: string): string;
  open(accountId: string): Promise<AccountWriter>;
  /** The account is finished: drop its clients and limiters. */
  release(accountId: string): void;
}

export interface ApplyOptions {
  auditLogPath: string;
  runId: string;
  /** Accounts handled at once. */
  concurrency: number;
  now?: () => Date;
  /** Called after each key (progress lines). */
  onKey?: (record: AuditRecord) => void;
}

export interface ApplyOutcome {
  enabled: number;
  alreadyCompliant: number;
  failed: number;
}

export async function applyPlan(plan: RemediationPlan, access: WriteAccess, opts: ApplyOptions): Promise<ApplyOutcome> {
  const now = opts.now ?? (() => new Date());
  const outcome: ApplyOutcome = { enabled: 0, alreadyCompliant: 0, failed: 0 };
  const log = await AuditLog.open(opts.auditLogPath);
  try {
    await forEachLimit([...byAccount(plan.items)], opts.concurrency, ([accountId, items]) =>
      applyAccount(plan, access, accountId, items, async (record) => {
        await log.write(record);
        outcome[record.outcome === 'enabled' ? 'enabled' : record.outcome === 'already-compliant' ? 'alreadyCompliant' : 'failed']++;
        opts.onKey?.(record);
      }, { runId: opts.runId, now }),
    );
  } finally {
    await log.close();
  }
  return outcome;
}

async function applyAccount(
  plan: RemediationPlan,
  access: WriteAccess,
  accountId: string,
  items: readonly PlanItem[],
  emit: (record: AuditRecord) => Promise<void>,
  ctx: { runId: string; now: () => Date },
): Promise<void> {
  const roleArn = access.roleArnFor(accountId);
  const record = (item: PlanItem, who: string | null, fields: { before: RotationState | null; after: RotationState | null; outcome: AuditOutcome; error: AwsErrorRecord | null }): AuditRecord => ({
    runId: ctx.runId,
    at: ctx.now().toISOString(),
    scanId: plan.scanId,
    who,
    roleArn,
    accountId,
    region: item.region,
    keyId: item.keyId,
    keyArn: item.keyArn,
    action: 'kms:EnableKeyRotation',
    requestedPeriodDays: item.periodArg,
    ...fields,
  });
  let writer: AccountWriter;
  try {
    writer = await access.open(accountId);
  } catch (err) {
    // No session: every key of the account is recorded with the reason, none is touched.
    const error = toErrorRecord(err, 'sts:AssumeRole');
    for (const item of items) await emit(record(item, null, { before: null, after: null, outcome: 'failed', error }));
    access.release(accountId);
    return;
  }
  try {
    for (const item of items) await emit(record(item, writer.callerArn, await applyKey(writer, item, plan.maxRotationDays)));
  } finally {
    access.release(accountId);
  }
}

async function applyKey(writer: AccountWriter, item: PlanItem, maxRotationDays: number): Promise<{ before: RotationState | null; after: RotationState | null; outcome: AuditOutcome; error: AwsErrorRecord | null }> {
  let before: RotationState;
  try {
    before = await writer.getRotationStatus(item.region, item.keyId);
  } catch (err) {
    return { before: null, after: null, outcome: 'failed', error: toErrorRecord(err, 'kms:GetKeyRotationStatus') };
  }
  // Safe to re-run: a key fixed since the scan (or by an earlier run) is left as it is.
  if (isCompliant(before, maxRotationDays)) return { before, after: before, outcome: 'already-compliant', error: null };
  try {
    await writer.enableRotation(item.region, item.keyId, item.periodArg);
  } catch (err) {
    return { before, after: null, outcome: 'failed', error: toErrorRecord(err, 'kms:EnableKeyRotation') };
  }
  let after: RotationState;
  try {
    after = await writer.getRotationStatus(item.region, item.keyId);
  } catch (err) {
    return { before, after: null, outcome: 'failed', error: toErrorRecord(err, 'kms:GetKeyRotationStatus') };
  }
  if (!isCompliant(after, maxRotationDays) || (item.periodArg !== null && after.periodDays !== item.periodArg)) {
    const message = `After EnableKeyRotation the status reads enabled=${after.enabled}, period=${after.periodDays ?? 'not returned'} (wanted rotation every ${item.targetPeriodDays} days)`;
    return { before, after, outcome: 'failed', error: { code: 'VerificationFailed', message, operation: 'kms:GetKeyRotationStatus' } };
  }
  return { before, after, outcome: 'enabled', error: null };
}
