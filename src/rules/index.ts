/**
 * The rule registry, and the wrapper that turns a rule that throws into an ERROR result
 * (cdk-nag style: a broken rule is a reported error, never a lost key).
 */
import type { KeyFacts } from '../collect/facts.js';
import { Status, type AwsErrorRecord } from '../core/results.js';
import { kms002 } from './kms-002/rule.js';
import type { Judgement, Rule, RulePolicy } from './types.js';

export type { Judgement, Rule, RulePolicy } from './types.js';
export { kms002 } from './kms-002/rule.js';

export const rules: readonly Rule[] = [kms002];

export function ruleById(id: string): Rule | undefined {
  return rules.find((rule) => rule.id === id);
}

export interface SafeJudgement extends Judgement {
  /** Set when the rule itself threw. */
  ruleError: AwsErrorRecord | null;
}

export function judgeSafely(rule: Rule, facts: KeyFacts, policy: RulePolicy): SafeJudgement {
  try {
    return { ...rule.judge(facts, policy), ruleError: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      status: Status.Error,
      reason: `Could not check: rule ${rule.id} failed (${message}).`,
      ruleError: { code: 'RuleError', message, operation: `rule:${rule.id}` },
    };
  }
}

/** The rule's own predicate, wrapped: a throwing predicate collects the rotation status (so the judgement decides). */
export function needsRotationStatusSafely(rule: Rule, metadata: Parameters<Rule['needsRotationStatus']>[0], policy: RulePolicy): boolean {
  try {
    return rule.needsRotationStatus(metadata, policy);
  } catch {
    return true;
  }
}
