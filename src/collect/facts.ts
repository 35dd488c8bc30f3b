/**
 * What the collector learns about one KMS key: facts only, no judgement. Rules (src/rules/)
 * read these; the collector never decides PASS or FAIL. Dates are ISO 8601 UTC strings.
 * Text fields (description, aliases, tags) come from AWS and are untrusted.
 */
import type { AwsErrorRecord, KeyResult } from '../core/results.js';

/** The DescribeKey fields the rules and reports use: the results document's members of the same names. */
export type KeyMetadataFacts = Pick<
  KeyResult,
  'keyManager' | 'keySpec' | 'keyUsage' | 'origin' | 'keyState' | 'enabled' | 'multiRegionType' | 'primaryKeyArn' | 'customKeyStoreId' | 'creationDate' | 'deletionDate' | 'description'
> & {
  /** Members the verdict needs that came with a value the code does not know (named with the value). */
  unknownMembers: string[];
};

/** GetKeyRotationStatus and the latest ListKeyRotations entry. */
export interface RotationFacts {
  /** KeyRotationEnabled as answered (a boolean: the collector makes an answer without one a failure). */
  enabled: boolean;
  /** As answered; null when the service omitted it (older deployments: AWS's default applies, src/rules/kms-002/period.ts). */
  periodDays: number | null;
  nextRotationDate: string | null;
  onDemandRotationStartDate: string | null;
  lastRotationDate: string | null;
  lastRotationType: 'AUTOMATIC' | 'ON_DEMAND' | null;
}

/**
 * Why a key could not be fully collected. `deleted`: NotFoundException after ListKeys listed it.
 * `incomplete`: an answer without a member the verdict needs (`member`), e.g. KeyRotationEnabled.
 * `not-ready`: the key stayed in a transitional state (Creating, Updating) after a second look.
 */
export interface CollectionFailure {
  kind: 'deleted' | 'call-failed' | 'incomplete' | 'not-ready';
  error: AwsErrorRecord;
  /** `incomplete`: the missing member; `not-ready`: the key state. */
  detail?: string;
}

/**
 * Evidence that could not be read; it never changes a status (the verdict comes from DescribeKey
 * and GetKeyRotationStatus), but the row records it (findings.csv `evidence_gaps`).
 */
export interface EvidenceGap {
  /** `rotation-history`: kms:ListKeyRotations; `tags`: kms:ListResourceTags; `aliases`: kms:ListAliases. */
  evidence: 'rotation-history' | 'tags' | 'aliases';
  error: AwsErrorRecord;
}

export interface KeyFacts {
  keyId: string;
  keyArn: string;
  aliases: string[];
  /** null when DescribeKey failed (see failure). */
  metadata: KeyMetadataFacts | null;
  /** null when not needed (the rule does not apply) or when a rotation call failed. */
  rotation: RotationFacts | null;
  /** null = not collected. */
  tags: Record<string, string> | null;
  failure: CollectionFailure | null;
  /** Evidence calls that failed (never a reason for ERROR). */
  evidenceGaps: EvidenceGap[];
  /**
   * Members read by inference where AWS's rules leave one answer (e.g. KeyUsage absent with
   * KeySpec SYMMETRIC_DEFAULT is ENCRYPT_DECRYPT), each a sentence recorded on the row.
   */
  inferences: string[];
  /** Set when the key was read outside the scan's regions because a replica in scope names it as primary. */
  readForReplicaOf?: string[];
}
