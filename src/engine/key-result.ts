import type { KeyFacts } from '../collect/facts.js';
import type { SafeJudgement } from '../rules/index.js';
import type { Rule } from '../rules/types.js';
import { Status, type AwsErrorRecord, type KeyResult } from '../core/results.js';
import type { AccountTarget } from './scope.js';

/** One results row: the collected facts, the judgement, and where the key lives. */
export function toKeyResult(account: AccountTarget, region: string, facts: KeyFacts, judgement: SafeJudgement, rule: Rule, evaluatedAt: string): KeyResult {
  const m = facts.metadata;
  const r = facts.rotation;
  return {
    accountId: account.id,
    accountName: account.name,
    ouPath: account.ouPath,
    ouIds: account.ouIds,
    region,
    keyId: facts.keyId,
    keyArn: facts.keyArn,
    aliases: facts.aliases,
    description: m?.description ?? null,
    keyManager: m?.keyManager ?? null,
    keySpec: m?.keySpec ?? null,
    keyUsage: m?.keyUsage ?? null,
    origin: m?.origin ?? null,
    keyState: m?.keyState ?? null,
    enabled: m?.enabled ?? null,
    multiRegionType: m?.multiRegionType ?? null,
    primaryKeyArn: m?.primaryKeyArn ?? null,
    customKeyStoreId: m?.customKeyStoreId ?? null,
    creationDate: m?.creationDate ?? null,
    deletionDate: m?.deletionDate ?? null,
    rotationEnabled: r?.enabled ?? null,
    rotationPeriodDays: r ? (r.periodDays ?? null) : null,
    nextRotationDate: r?.nextRotationDate ?? null,
    onDemandRotationStartDate: r?.onDemandRotationStartDate ?? null,
    lastRotationDate: r?.lastRotationDate ?? null,
    lastRotationType: r?.lastRotationType ?? null,
    tags: facts.tags,
    status: judgement.status,
    reason: judgement.reason,
    ruleId: rule.id,
    severity: rule.severity,
    exceptionId: null,
    error: judgement.status === Status.Error ? errorOf(facts, judgement) : null,
    evaluatedAt,
    evidenceGaps: facts.evidenceGaps.map((gap) => ({ evidence: gap.evidence, error: gap.error })),
    inferences: [...facts.inferences],
  };
}

function errorOf(facts: KeyFacts, judgement: SafeJudgement): AwsErrorRecord {
  return facts.failure?.error ?? judgement.ruleError ?? { code: 'IncompleteResponse', message: judgement.reason, operation: 'kms:DescribeKey' };
}
