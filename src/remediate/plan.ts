/**
 * The remediation plan: from a finished scan's results, the FAIL keys and what to change on each.
 * Only FAIL keys: approved exceptions (EXCEPTION) are never touched, nor keys the rule does not
 * apply to; multi-Region keys are changed on their primary only (replicas are never FAIL). What
 * applies, what is compliant, the period to ask for and the command all come from the rule
 * (src/rules/kms-002/).
 */
import { UsageError } from '../core/errors.js';
import { ACCOUNT_ID_PATTERN, ALIAS_NAME_PATTERN, KEY_ID_PATTERN, PARTITION_PATTERN, REGION_PATTERN } from '../core/names.js';
import { compareKeys, Status, type KeyResult, type ResultsHeader } from '../core/results.js';
import type { ResultsReader } from '../io/results-document.js';
import { impossibleFailReason } from '../rules/kms-002/applicability.js';
import { effectivePeriodDays, isCompliant } from '../rules/kms-002/period.js';
import { rotationPeriodArg, targetPeriodDays } from '../rules/kms-002/remediation.js';
import { checked, checkedPeriod } from './validate.js';

// For src/remediate/files.ts: the command is the rule's (src/rules/kms-002/remediation.ts).

export interface PlanItem {
  accountId: string;
  accountName: string | null;
  region: string;
  keyId: string;
  keyArn: string;
  /** Every alias as recorded (for the CSV); scripts only show those matching the alias syntax. */
  aliases: string[];
  currentRotationEnabled: boolean | null;
  currentPeriodDays: number | null;
  /** The period the key will have once changed. */
  targetPeriodDays: number;
  /** RotationPeriodInDays / --rotation-period-in-days to send; null = leave it out (AWS's default, 365 days). */
  periodArg: number | null;
}

export interface SkippedKey {
  keyArn: string;
  why: string;
}

export interface RemediationPlan {
  source: string;
  scanId: string;
  partition: string;
  homeRegion: string;
  maxRotationDays: number;
  complete: boolean;
  finishedAt: string;
  /** The read role the scan used (the write role must differ). */
  readRoleName: string | null;
  readRoleArnTemplate: string | null;
  /** Sorted by account, region, key id. */
  items: PlanItem[];
  /** FAIL keys whose record already shows a compliant rotation (inconsistent document): not changed. */
  skipped: SkippedKey[];
  exceptionsLeftAlone: number;
  failKeysOutsideAccounts: number;
}

export interface BuildPlanOptions {
  /** Only these accounts (null = all). */
  accounts?: readonly string[] | null;
}

export async function buildPlan(source: string, reader: ResultsReader, opts: BuildPlanOptions = {}): Promise<RemediationPlan> {
  const { header } = reader;
  const params = header.parameters ?? ({} as ResultsHeader['parameters']);
  const maxRotationDays = checkedPeriod(params.maxRotationDays, 'parameters.maxRotationDays', source);
  const partition = checked(header.partition, PARTITION_PATTERN, 'partition', source);
  const homeRegion = checked(params.homeRegion ?? 'us-east-1', REGION_PATTERN, 'parameters.homeRegion', source);
  const only = opts.accounts ? new Set(opts.accounts) : null;
  const plan: RemediationPlan = {
    source,
    scanId: String(header.scanId),
    partition,
    homeRegion,
    maxRotationDays,
    complete: header.complete === true,
    finishedAt: String(header.finishedAt),
    readRoleName: typeof params.roleName === 'string' ? params.roleName : null,
    readRoleArnTemplate: typeof params.roleArnTemplate === 'string' ? params.roleArnTemplate : null,
    items: [],
    skipped: [],
    exceptionsLeftAlone: 0,
    failKeysOutsideAccounts: 0,
  };
  for await (const key of reader.keys()) {
    if (key.status === Status.Exception) plan.exceptionsLeftAlone++;
    if (key.status !== Status.Fail) continue;
    if (only && !only.has(key.accountId)) {
      plan.failKeysOutsideAccounts++;
      continue;
    }
    const item = planItemFor(key, { maxRotationDays, partition, source });
    if ('why' in item) plan.skipped.push(item);
    else plan.items.push(item);
  }
  plan.items.sort(compareKeys);
  return plan;
}

/**
 * What to change on one FAIL key. Refuses (UsageError) a FAIL the rule could never produce
 * (impossibleFailReason), or ids that are not AWS's, since acting on it would touch a key the rule
 * does not apply to.
 */
export function planItemFor(key: KeyResult, ctx: { maxRotationDays: number; partition: string; source: string }): PlanItem | SkippedKey {
  const where = `${ctx.source}: key ${JSON.stringify(key.keyArn)}`;
  const accountId = checked(key.accountId, ACCOUNT_ID_PATTERN, 'account id', where);
  const region = checked(key.region, REGION_PATTERN, 'region', where);
  const keyId = checked(key.keyId, KEY_ID_PATTERN, 'key id', where);
  const expectedArn = `arn:${ctx.partition}:kms:${region}:${accountId}:key/${keyId}`;
  if (key.keyArn !== expectedArn) throw new UsageError(`${where}: the ARN does not match its account, region and key id (expected ${expectedArn})`);
  const notApplicable = impossibleFailReason(key);
  if (notApplicable) throw new UsageError(`${where}: marked FAIL but ${notApplicable}; the results document is inconsistent, refusing to plan`);
  const currentPeriodDays = key.rotationPeriodDays ?? null;
  if (currentPeriodDays !== null) checkedPeriod(currentPeriodDays, 'rotationPeriodDays', where);
  const max = ctx.maxRotationDays;
  if (isCompliant({ enabled: key.rotationEnabled === true, periodDays: currentPeriodDays }, max)) {
    return { keyArn: key.keyArn, why: `recorded as rotating every ${effectivePeriodDays(currentPeriodDays)} days, within the policy's ${max}: nothing to change` };
  }
  const periodArg = rotationPeriodArg(currentPeriodDays, max);
  return {
    accountId,
    accountName: key.accountName ?? null,
    region,
    keyId,
    keyArn: key.keyArn,
    aliases: Array.isArray(key.aliases) ? key.aliases.filter((alias): alias is string => typeof alias === 'string') : [],
    currentRotationEnabled: typeof key.rotationEnabled === 'boolean' ? key.rotationEnabled : null,
    currentPeriodDays,
    targetPeriodDays: targetPeriodDays(periodArg),
    periodArg,
  };
}

/** Aliases safe to print in a script comment. */
export function scriptAliases(item: Pick<PlanItem, 'aliases'>): string[] {
  return item.aliases.filter((alias) => ALIAS_NAME_PATTERN.test(alias));
}

/** Items grouped by account, in account order. */
export function byAccount(items: readonly PlanItem[]): Map<string, PlanItem[]> {
  const groups = new Map<string, PlanItem[]>();
  for (const item of items) {
    const list = groups.get(item.accountId) ?? [];
    list.push(item);
    groups.set(item.accountId, list);
  }
  return groups;
}
