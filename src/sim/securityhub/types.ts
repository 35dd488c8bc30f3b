/** What the simulated Security Hub is configured with and what a test reads back from it. */

export interface SecurityHubSimOptions {
  /**
   * The Security Hub administrator account: it may import findings whose AwsAccountId is any account
   * of the scenario (members); every other caller only its own (BatchImportFindings documentation in
   * the Security Hub API model: the calling account must be the finding's AwsAccountId unless allowed).
   * Default: the scenario's management account.
   */
  administratorAccountId?: string;
  /** `accountId|region` pairs where Security Hub is not enabled (InvalidAccessException). `*` matches any part. */
  notEnabled?: string[];
  /** `accountId|region` pairs where an SCP denies securityhub:BatchImportFindings (AccessDeniedException). */
  denied?: string[];
  /** The next N findings received are rejected once each in FailedFindings (ErrorCode InternalFailure), to test retries. */
  transientFailures?: number;
  /** Finding Ids always rejected in FailedFindings (ErrorCode InvalidInput): a finding that can never be imported. */
  alwaysFail?: string[];
}

/** A finding as Security Hub holds it: the last import, with the fields Security Hub manages itself. */
export interface StoredFinding {
  Id: string;
  ProductArn: string;
  AwsAccountId: string;
  Region?: string;
  CreatedAt: string;
  UpdatedAt: string;
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Compliance?: { Status?: string };
  Workflow: { Status: string };
  /** Every member as last imported. */
  finding: Record<string, unknown>;
  /** How many imports touched it. */
  imports: number;
}

export interface SecurityHubView {
  /** Findings held in the Security Hub of `accountId` in `region` (the importing account's hub). */
  findings(accountId: string, region: string): StoredFinding[];
  /** Every hub with findings, as `accountId|region`. */
  hubs(): string[];
  /** BatchImportFindings requests received (with their finding counts), in order. */
  requests(): { accountId: string; region: string; findings: number; at: number }[];
  setOptions(options: SecurityHubSimOptions): void;
}
