/**
 * Simulated AWS Security Hub: BatchImportFindings only (POST /findings/import, restJson1), from the
 * Security Hub API model securityhub-2018-10-26 (shapes BatchImportFindingsRequest/Response,
 * ImportFindingsError; errors InvalidAccessException 401, InvalidInputException 400,
 * LimitExceededException 429, InternalException 500). It keeps what it was sent, so tests can check
 * the state a series of imports leaves.
 *
 * Lifecycle rules applied on update, as Security Hub documents them for BatchImportFindings
 * ("Workflow" in the ASFF reference, https://docs.aws.amazon.com/securityhub/latest/userguide/asff-top-level-attributes.html):
 * - Workflow (and Note, UserDefinedFields, VerificationState) cannot be changed by an update: the
 *   value sent on the first import stays;
 * - Security Hub itself sets Workflow.Status RESOLVED when RecordState changes ACTIVE → ARCHIVED, or
 *   Compliance.Status changes from FAILED/WARNING/NOT_AVAILABLE to PASSED, while the workflow is NEW
 *   or NOTIFIED; and back to NEW when RecordState changes ARCHIVED → ACTIVE or Compliance.Status
 *   changes from PASSED to another value, while the workflow is RESOLVED.
 * - an update whose UpdatedAt is older than the stored one is ignored (still counted as success).
 */
import type { IncomingMessage } from 'node:http';
import type { CredentialStore, Identity } from '../credentials.js';
import type { Reply } from '../protocols/aws-error.js';
import { verifySignature, type ParsedAuthorization } from '../sigv4.js';
import type { SecurityHubSimOptions, SecurityHubView, StoredFinding } from './types.js';

// AwsSecurityFinding's required members (securityhub-2018-10-26, shapes.AwsSecurityFinding.required).
const REQUIRED = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'] as const;
const IMMUTABLE_ON_UPDATE = ['Workflow', 'Note', 'UserDefinedFields', 'VerificationState'];
const MAX_FINDINGS = 100; // BatchImportFindingsRequestFindingList max

interface Runtime {
  credentials: CredentialStore;
  accountIds: () => Iterable<string>;
  managementAccountId: string;
  now(): number;
}

class HttpError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

export class SimSecurityHub implements SecurityHubView {
  private readonly hubsByKey = new Map<string, Map<string, StoredFinding>>();
  private readonly received: { accountId: string; region: string; findings: number; at: number }[] = [];
  private transientLeft: number;

  constructor(
    private readonly runtime: Runtime,
    private options: SecurityHubSimOptions = {},
  ) {
    this.transientLeft = options.transientFailures ?? 0;
  }

  setOptions(options: SecurityHubSimOptions): void {
    this.options = options;
    this.transientLeft = options.transientFailures ?? 0;
  }

  findings(accountId: string, region: string): StoredFinding[] {
    return [...(this.hubsByKey.get(`${accountId}|${region}`)?.values() ?? [])].map((f) => structuredClone(f));
  }

  hubs(): string[] {
    return [...this.hubsByKey.keys()].sort();
  }

  requests(): { accountId: string; region: string; findings: number; at: number }[] {
    return this.received.map((r) => ({ ...r }));
  }

  /** The operation a request names ('' for a path this simulator does not serve). */
  static operationOf(req: IncomingMessage): string {
    return req.method === 'POST' && (req.url ?? '/').split('?')[0] === '/findings/import' ? 'BatchImportFindings' : '';
  }

  /** Answers one request signed for service "securityhub". */
  handle(req: IncomingMessage, body: Buffer, auth: ParsedAuthorization, requestId: string): Reply {
    try {
      const identity = this.authenticate(req, body, auth);
      if (SimSecurityHub.operationOf(req) === '') throw new HttpError(404, 'ResourceNotFoundException', `No operation for ${req.method ?? ''} ${(req.url ?? '/').split('?')[0] ?? ''} in this simulator (BatchImportFindings only)`);
      return this.batchImport(identity, auth.region, body, requestId);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return {
        status: e.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.code },
        body: JSON.stringify({ Message: e.message, Code: e.code }),
      };
    }
  }

  private authenticate(req: IncomingMessage, body: Buffer, auth: ParsedAuthorization): Identity {
    const identity = this.runtime.credentials.get(auth.accessKeyId);
    const token = req.headers['x-amz-security-token'];
    if (!identity || (identity.sessionToken ?? undefined) !== (typeof token === 'string' ? token : undefined)) {
      throw new HttpError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (!verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, auth, identity.secretAccessKey)) {
      throw new HttpError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    if (identity.expiresAt !== undefined && this.runtime.now() >= identity.expiresAt) throw new HttpError(403, 'ExpiredTokenException', 'The security token included in the request is expired');
    return identity;
  }

  private matches(list: string[] | undefined, accountId: string, region: string): boolean {
    return (list ?? []).some((entry) => {
      const [a, r] = entry.split('|');
      return (a === '*' || a === accountId) && (r === undefined || r === '*' || r === region);
    });
  }

  private batchImport(identity: Identity, region: string, body: Buffer, requestId: string): Reply {
    const caller = identity.accountId;
    if (this.matches(this.options.denied, caller, region)) {
      throw new HttpError(403, 'AccessDeniedException', `User: ${identity.arn} is not authorized to perform: securityhub:BatchImportFindings with an explicit deny in a service control policy`);
    }
    if (this.matches(this.options.notEnabled, caller, region)) {
      throw new HttpError(401, 'InvalidAccessException', `Account ${caller} is not subscribed to AWS Security Hub`);
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'InvalidInputException', 'The request body is not valid JSON.');
    }
    const findings = (input as { Findings?: unknown }).Findings;
    if (!Array.isArray(findings)) throw new HttpError(400, 'InvalidInputException', 'Findings is required.');
    if (findings.length > MAX_FINDINGS) throw new HttpError(400, 'InvalidInputException', `Findings: at most ${MAX_FINDINGS} findings per request, got ${findings.length}.`);
    this.received.push({ accountId: caller, region, findings: findings.length, at: this.runtime.now() });

    const members = new Set(this.runtime.accountIds());
    const admin = this.options.administratorAccountId ?? this.runtime.managementAccountId;
    const hubKey = `${caller}|${region}`;
    const hub = this.hubsByKey.get(hubKey) ?? new Map<string, StoredFinding>();
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const raw of findings as Record<string, unknown>[]) {
      const id = typeof raw?.Id === 'string' ? raw.Id : '(no Id)';
      const fail = (code: string, message: string): void => void failed.push({ Id: id, ErrorCode: code, ErrorMessage: message });
      const missing = REQUIRED.filter((m) => raw?.[m] === undefined || (typeof raw[m] === 'string' && !/\S/.test(raw[m])));
      if (missing.length) {
        fail('InvalidInput', `Finding is missing required members: ${missing.join(', ')}`);
        continue;
      }
      const account = String(raw.AwsAccountId);
      const expectedProduct = `arn:aws:securityhub:${region}:${caller}:product/${caller}/default`;
      if (raw.ProductArn !== expectedProduct) {
        fail('InvalidInput', `ProductArn ${String(raw.ProductArn)} is not this account's default product in ${region} (${expectedProduct})`);
        continue;
      }
      if (account !== caller && !(caller === admin && members.has(account))) {
        fail('AccessDeniedException', `Account ${caller} may not import findings for account ${account}`);
        continue;
      }
      if (this.options.alwaysFail?.includes(id)) {
        fail('InvalidInput', 'Rejected by the simulator (alwaysFail)');
        continue;
      }
      if (this.transientLeft > 0) {
        this.transientLeft--;
        fail('InternalFailure', 'Internal failure, try again (simulated)');
        continue;
      }
      hub.set(id, this.apply(hub.get(id), raw));
    }
    if (hub.size) this.hubsByKey.set(hubKey, hub);
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed }),
    };
  }

  private apply(existing: StoredFinding | undefined, raw: Record<string, unknown>): StoredFinding {
    const recordState = raw.RecordState === 'ARCHIVED' ? 'ARCHIVED' : 'ACTIVE';
    const compliance = raw.Compliance as { Status?: string } | undefined;
    if (!existing) {
      const workflow = (raw.Workflow as { Status?: string } | undefined)?.Status ?? 'NEW';
      return {
        Id: String(raw.Id), ProductArn: String(raw.ProductArn), AwsAccountId: String(raw.AwsAccountId),
        ...(typeof raw.Region === 'string' ? { Region: raw.Region } : {}),
        CreatedAt: String(raw.CreatedAt), UpdatedAt: String(raw.UpdatedAt), RecordState: recordState,
        ...(compliance ? { Compliance: { ...compliance } } : {}),
        Workflow: { Status: workflow },
        finding: structuredClone(raw), imports: 1,
      };
    }
    if (Date.parse(String(raw.UpdatedAt)) < Date.parse(existing.UpdatedAt)) return { ...existing, imports: existing.imports + 1 };
    let workflow = existing.Workflow.Status;
    const wasPassed = existing.Compliance?.Status === 'PASSED';
    const nowPassed = compliance?.Status === 'PASSED';
    if (workflow === 'NEW' || workflow === 'NOTIFIED') {
      if ((existing.RecordState === 'ACTIVE' && recordState === 'ARCHIVED') || (!wasPassed && nowPassed && compliance?.Status !== undefined)) workflow = 'RESOLVED';
    } else if (workflow === 'RESOLVED') {
      if ((existing.RecordState === 'ARCHIVED' && recordState === 'ACTIVE') || (wasPassed && compliance?.Status !== undefined && !nowPassed)) workflow = 'NEW';
    }
    const finding = structuredClone(raw);
    for (const m of IMMUTABLE_ON_UPDATE) {
      if (existing.finding[m] !== undefined) finding[m] = existing.finding[m];
      else delete finding[m];
    }
    return {
      ...existing,
      ...(typeof raw.Region === 'string' ? { Region: raw.Region } : {}),
      UpdatedAt: String(raw.UpdatedAt),
      RecordState: recordState,
      ...(compliance ? { Compliance: { ...compliance } } : {}),
      Workflow: { Status: workflow },
      finding,
      imports: existing.imports + 1,
    };
  }
}
