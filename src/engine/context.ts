import type { STSClient } from '@aws-sdk/client-sts';
import type { ClientFactory } from '../aws/clients.js';
import type { CachedCredentials } from '../aws/credentials.js';
import type { CheckpointJournal } from './checkpoint.js';
import type { RoleArnFor } from '../core/role-arn.js';
import type { Throttle } from '../aws/throttle.js';
import type { AccountRegions } from '../aws/regions.js';
import type { Rule, RulePolicy } from '../rules/types.js';
import type { KeyStage } from './types.js';
import type { ScanOptions } from './options.js';
import type { KeySpool } from './spool.js';
import type { ScanTally } from './tally.js';
import type { Logger, ScanProgress } from './types.js';

/** Everything an account's scan needs, built once per run by runScan. */
export interface ScanContext {
  options: ScanOptions;
  partition: string;
  /** The caller's own account: scanned with the base credentials, never through AssumeRole. */
  callerAccountId: string;
  throttle: Throttle;
  clients: ClientFactory;
  base: CachedCredentials;
  /** STS in the home region with the base credentials (AssumeRole for every member account). */
  sts: STSClient;
  roleArnFor: RoleArnFor;
  rule: Rule;
  policy: RulePolicy;
  spool: KeySpool;
  tally: ScanTally;
  logger: Logger;
  progress: ScanProgress | undefined;
  now: () => Date;
  clockMs: () => number;
  keyConcurrency: number;
  stages: KeyStage[];
  /** Origins the scan's requests went to so far (src/aws/http.ts), recorded with each checkpointed account. */
  endpoints?: () => string[];
  /** Records each finished account for --resume (absent in unit tests of a single account). */
  checkpoint?: CheckpointJournal;
  /** Accounts scanned at once (tests; default from the concurrency: src/engine/index.ts). */
  accountParallelism?: number;
  /** The caller's own DescribeRegions, read once when an account's is denied under --regions all (src/engine/account.ts). */
  callerRegions?: Promise<AccountRegions | null>;
}
