/**
 * What the collector learns about one KMS key: facts only, no judgement. Rules (src/rules/)
 * read these; the collector never decides PASS or FAIL. Dates are ISO 8601 UTC strings.
 * Text fields (description, aliases, tags) come from AWS and are untrusted.
 */
import type { AwsErrorRecord } from '../results/types.js';

/** The DescribeKey fields the rules and reports use. */
export interface KeyMetadataFacts {
  keyManager: string | null;
  keySpec: string | null;
  keyUsage: string | null;
  origin: string | null;
  keyState: string | null;
  enabled: boolean | null;
  multiRegionType: 'PRIMARY' | 'REPLICA' | null;
  primaryKeyArn: string | null;
  customKeyStoreId: string | null;
  creationDate: string | null;
  deletionDate: string | null;
  description: string | null;
}

/** GetKeyRotationStatus and the latest ListKeyRotations entry. */
export interface RotationFacts {
  enabled: boolean;
  /** As answered; null when the service omitted it (older deployments: the default, 365, applies). */
  periodDays: number | null;
  nextRotationDate: string | null;
  onDemandRotationStartDate: string | null;
  lastRotationDate: string | null;
  lastRotationType: 'AUTOMATIC' | 'ON_DEMAND' | null;
}

/** Why a key could not be fully collected. `deleted`: NotFoundException after ListKeys listed it. */
export interface CollectionFailure {
  kind: 'deleted' | 'call-failed';
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
}
