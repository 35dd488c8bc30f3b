/**
 * Public contract of the simulated organization (src/sim/). The scanner core never imports
 * anything under src/sim/; only the `sim` and `demo` commands, tests and benchmarks do.
 *
 * Everything here may be extended; nothing here may be removed or renamed without updating
 * every user (tests, demo, bench).
 */
import type { SecurityHubSimOptions, SecurityHubView } from './securityhub/types.js';

export interface SimRegion {
  name: string; // e.g. "eu-west-1"
  /** Opt-in region (launched after 2019-03-20): only enabled for accounts that list it. */
  optIn: boolean;
}

export interface SimOu {
  id: string; // "ou-ab12-cdef3456"
  name: string;
  /** Parent: the root id ("r-ab12") or another OU id. */
  parentId: string;
  /** Organizations tags (ListTagsForResource). */
  tags?: Record<string, string>;
}

export interface SimRole {
  /** Role name, e.g. "KmsRotationAuditReader". */
  name: string;
  /** IAM path, "/" by default, e.g. "/security/". */
  path?: string;
  /** When set, AssumeRole must carry exactly this ExternalId or it is AccessDenied. */
  externalId?: string;
  /** Max session duration in seconds (default 3600); a longer DurationSeconds is a ValidationError. */
  maxSessionSeconds?: number;
  /** Which KMS write operations this role may call (EnableKeyRotation, DisableKeyRotation); default: none (a read role). */
  allowWrite?: boolean;
  /** Accounts whose principals the trust policy admits (default: every account of the organization). */
  trustedAccounts?: string[];
}

export interface SimRotationRecord {
  date: string; // ISO 8601
  type: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface SimKey {
  keyId: string; // UUID (mrk-… for multi-Region keys)
  region: string;
  keyManager: 'CUSTOMER' | 'AWS';
  keySpec: string; // SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ...
  keyUsage: string; // ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT
  origin: 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE';
  keyState: string; // Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion, ...
  description: string;
  creationDate: string; // ISO 8601
  deletionDate?: string;
  customKeyStoreId?: string;
  multiRegion?: { type: 'PRIMARY' | 'REPLICA'; primaryRegion: string; primaryKeyId: string; replicaRegions?: string[] };
  rotation: {
    enabled: boolean;
    periodDays?: number; // 90..2560; absent = 365 but omitted from the response (older deployments)
    nextRotationDate?: string;
    onDemandRotationStartDate?: string;
  };
  rotations: SimRotationRecord[];
  aliases: string[]; // "alias/…"
  tags: Record<string, string>;
  /** AWS_CLOUDHSM keys: the cluster behind the custom key store (derived from customKeyStoreId when absent). */
  cloudHsmClusterId?: string;
  /** EXTERNAL_KEY_STORE keys: the key's id in the external key manager (derived when absent). */
  xksKeyId?: string;
  /** EXTERNAL (imported) keys: KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE, and ValidTo (ISO 8601). */
  expirationModel?: string;
  validTo?: string;
}

export interface SimAccount {
  id: string; // 12 digits
  name: string;
  email: string;
  /** Account state (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION). */
  state: string;
  /** The older `Status` field; omitted from responses when undefined. Set `state` undefined to test the fallback. */
  status?: string;
  /** When true, Account objects carry no `State` (only `Status`), as older API answers did. */
  omitState?: boolean;
  /** Parent: the root id or an OU id. */
  parentId: string;
  /** Opt-in regions enabled for this account (default regions are always enabled). */
  optedInRegions: string[];
  roles: SimRole[];
  keys: SimKey[];
  /** Organizations tags (ListTagsForResource). */
  tags?: Record<string, string>;
  /** ISO 8601; default 2020-01-01T00:00:00Z. */
  joinedTimestamp?: string;
  /** CREATED (default) or INVITED. */
  joinedMethod?: 'CREATED' | 'INVITED';
  /** A delegated administrator may call the Organizations list operations like the management account. */
  delegatedAdministrator?: boolean;
}

export interface SimScenario {
  partition: 'aws';
  organizationId: string; // "o-…"
  rootId: string; // "r-…"
  managementAccountId: string;
  /** The simulator's home region for STS / Organizations (us-east-1 on AWS). */
  homeRegion: string;
  regions: SimRegion[];
  ous: SimOu[];
  accounts: SimAccount[];
  /** Whether Account/OU objects carry the 2026 `Paths` field. */
  withPaths?: boolean;
}

/** One fault rule. A request matches when every field given matches. */
export interface SimFault {
  accounts?: string[]; // account the request's credentials belong to
  regions?: string[]; // region in the SigV4 scope
  /** `service:Operation`, e.g. "kms:GetKeyRotationStatus", "sts:AssumeRole"; "*" for any. */
  operations?: string[];
  /** For AssumeRole: the target account of the role. */
  targetAccounts?: string[];
  /** For KMS key operations: the key id. */
  keyIds?: string[];
  /**
   * `invalid-token`: the credentials are refused in that region although it is enabled (what KMS
   * answers a global-endpoint STS token outside the regions enabled by default): KMS/Organizations
   * UnrecognizedClientException, STS InvalidClientTokenId, EC2 AuthFailure.
   * `rewrite`: the operation runs, then its JSON answer is changed by `rewrite` (KMS, Organizations).
   */
  kind: 'access-denied' | 'http-500' | 'http-503' | 'drop-connection' | 'throttle' | 'latency' | 'expired-token' | 'delete-key' | 'invalid-token' | 'rewrite';
  /** Probability 0..1 that a matching request gets the fault (default 1). Drawn from the seeded RNG. */
  rate?: number;
  /** Apply to at most this many matching requests (default unlimited). */
  times?: number;
  /** For kind "latency": extra milliseconds. */
  latencyMs?: number;
  /** For kind "rewrite": how the answer is changed. */
  rewrite?: SimRewrite;
}

/**
 * A change to a successful JSON answer, so tests can reach shapes real AWS (or another emulator)
 * sends and this simulator does not: a member dropped, set null, given an enum value newer than the
 * code knows, or an unknown member added. Paths are dot-separated member names; `*` walks every
 * element of a list (`Keys.*.KeyId`). Fires (and spends `times`) only when `where` holds.
 */
export interface SimRewrite {
  path: string;
  action: 'drop' | 'null' | 'set';
  /** For `set`: the value (JSON). */
  value?: unknown;
  /** Only when every member at these paths (of the answer, before the change) equals the value given. */
  where?: Record<string, unknown>;
}

/** Per-region latency in milliseconds (added before answering); `default` for regions not listed. */
export interface SimLatencyProfile {
  default: number;
  byRegion?: Record<string, number>;
  /** Uniform jitter ± this many ms. */
  jitterMs?: number;
}

export interface SimOptions {
  scenario: SimScenario;
  host?: string; // 127.0.0.1
  port?: number; // 0 = any free port
  latency?: SimLatencyProfile;
  /** Enforce AWS's published request quotas with token buckets (per account, region and operation). */
  quotas?: boolean | { scale?: number; overrides?: Record<string, number> };
  faults?: SimFault[];
  /** Lifetime of credentials issued by AssumeRole is min(DurationSeconds, this) when set (tests of expiry). */
  maxCredentialLifetimeSeconds?: number;
  /** Fixed base credentials for the management account (default: random per instance). */
  baseCredentials?: SimCredentials;
  /** RNG seed for fault rates and jitter. */
  seed?: number;
  /** Clock, for tests that move time (default Date.now). */
  now?: () => number;
  /** Sees every answer as sent (not dropped connections): the conformance test checks them against AWS's models. */
  onReply?: (reply: SimReply) => void;
  /** Simulated Security Hub (BatchImportFindings): administrator, regions not enabled, denials, failures. */
  securityHub?: SecurityHubSimOptions;
}

/** One answer of the simulator, for `onReply`. */
export interface SimReply {
  service: 'kms' | 'organizations' | 'sts' | 'ec2' | 'securityhub';
  /** '' when the request named no operation. */
  operation: string;
  /** The request's parameters (JSON body, or the Query form as a record). */
  input: Record<string, unknown>;
  reply: { status: number; headers: Record<string, string>; body: string };
}

export interface SimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SimStats {
  /** Calls by `service:Operation` (every request that was routed, including faulted ones). */
  calls: Record<string, number>;
  /** Throttling answers sent. */
  throttled: number;
  /** Requests rejected for a bad signature / unknown access key / expired token. */
  authFailures: number;
  inFlight: number;
  maxInFlight: number;
  /** Calls by `accountId|region|service:Operation`. */
  callsByScope: Record<string, number>;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43127 */
  endpoint: string;
  /** Long-term credentials of the management account. */
  baseCredentials: SimCredentials;
  /** Live state: EnableKeyRotation etc. change it. */
  scenario: SimScenario;
  stats(): SimStats;
  resetStats(): void;
  setFaults(faults: SimFault[]): void;
  /** Long-term credentials for any account (for tests that call a member account directly). */
  credentialsFor(accountId: string): SimCredentials;
  /** Rebuild the lookup indexes after a test changed `scenario` by hand (accounts, keys, aliases added or removed). */
  reindex(): void;
  /** What the simulated Security Hub received and holds. */
  securityHub: SecurityHubView;
  stop(): Promise<void>;
}
