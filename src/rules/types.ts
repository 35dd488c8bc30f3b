import type { KeyFacts, KeyMetadataFacts } from '../collect/facts.js';
import type { Status } from '../core/results.js';

/** The policy knobs a rule reads (from the scan options). */
export interface RulePolicy {
  maxRotationDays: number;
  evaluateDisabled: boolean;
}

export interface Judgement {
  status: Status;
  /** A human-readable sentence, used verbatim in the reports. */
  reason: string;
  /**
   * A multi-Region replica: its verdict comes from this primary key (ARN). The scan resolves it once
   * the primary is judged (src/engine/multi-region.ts): NOT_APPLICABLE naming the primary's verdict, or
   * ERROR when the primary could not be read or judged.
   */
  judgedThroughPrimary?: string | null;
}

/** One rule: pure functions of collected facts, never an AWS call. */
export interface Rule {
  id: string;
  title: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH';
  /** Whether the collector must fetch the rotation status and history of a key with this metadata. */
  needsRotationStatus(metadata: KeyMetadataFacts, policy: RulePolicy): boolean;
  judge(facts: KeyFacts, policy: RulePolicy): Judgement;
}
