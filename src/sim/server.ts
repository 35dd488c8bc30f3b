import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialStore, toCredentials, type Identity } from './credentials.js';
import { errorReply, invoke, isKnownOperation } from './dispatch.js';
import { FaultSet, type FaultRequest, type TerminalFault } from './faults.js';
import { AwsError, type Reply } from './protocols/aws-error.js';
import { commonError, type CommonError, type ServiceName } from './protocols/dialect.js';
import { QuotaBuckets } from './quotas.js';
import { createRng, type Rng } from './rng.js';
import { routeRequest, type RoutedRequest } from './route.js';
import { scenarioIssues } from './scenario/validate.js';
import { SimSecurityHub } from './securityhub/service.js';
import type { CallContext, SimRuntime } from './services/context.js';
import { parseAuthorization, verifySignature, type ParsedAuthorization } from './sigv4.js';
import { ScenarioIndex } from './state.js';
import { StatsCounter } from './stats.js';
import type { SimAccount, SimKey, SimOptions, SimReply, Simulator } from './types.js';

const FAULT_ERRORS: Record<Exclude<TerminalFault, 'drop-connection'>, CommonError> = {
  'access-denied': 'accessDenied',
  'http-500': 'internal',
  'http-503': 'unavailable',
  throttle: 'throttle',
  'expired-token': 'expired',
  'invalid-token': 'regionDisabled',
};

type Outcome = Reply | 'drop';
type Answer = { outcome: Outcome; delayMs: number };
/** A call that passed authentication, routing and the account's region check. */
interface Admitted {
  identity: Identity;
  account: SimAccount;
  region: string;
}

class SimServer implements SimRuntime {
  readonly index: ScenarioIndex;
  readonly credentials = new CredentialStore();
  readonly stats = new StatsCounter();
  readonly faults: FaultSet;
  private readonly quotas: QuotaBuckets | undefined;
  private readonly rng: Rng;
  private readonly timers = new Set<NodeJS.Timeout>();
  private requestCounter = 0;
  /** What process() just answered (synchronous, so the request handler reads it right after), for options.onReply. */
  private lastRouted: Pick<SimReply, 'service' | 'operation' | 'input'> | undefined;
  readonly now: () => number;
  readonly securityHub: SimSecurityHub;

  constructor(readonly options: SimOptions) {
    this.index = new ScenarioIndex(options.scenario);
    this.rng = createRng(options.seed ?? 1);
    this.faults = new FaultSet(options.faults ?? [], this.rng);
    this.quotas = options.quotas ? new QuotaBuckets(options.quotas) : undefined;
    this.now = options.now ?? Date.now;
    if (options.baseCredentials) this.credentials.presetLongTerm(options.scenario.managementAccountId, options.baseCredentials);
    this.securityHub = new SimSecurityHub({ credentials: this.credentials, accountIds: () => this.index.accounts.keys(), managementAccountId: options.scenario.managementAccountId, now: () => this.now() }, options.securityHub);
  }

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.stats.enter();
    res.once('close', () => this.stats.leave());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const { outcome, delayMs } = this.process(req, body);
      if (this.options.onReply && outcome !== 'drop' && this.lastRouted) this.options.onReply({ ...this.lastRouted, reply: outcome });
      if (delayMs <= 0) this.send(res, outcome);
      else {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.send(res, outcome);
        }, delayMs);
        this.timers.add(timer);
      }
    });
  };

  private send(res: ServerResponse, outcome: Outcome): void {
    if (outcome === 'drop') {
      // Close the connection without an answer, as a failed load balancer or network would.
      res.socket?.destroy();
      return;
    }
    if (res.destroyed) return;
    res.writeHead(outcome.status, { ...outcome.headers, 'content-length': Buffer.byteLength(outcome.body) });
    res.end(outcome.body);
  }

  private requestId(): string {
    const n = (++this.requestCounter).toString(16).padStart(12, '0');
    return `5e1a0000-0000-4000-8000-${n}`;
  }

  private latencyMs(region: string, extra: number): number {
    const profile = this.options.latency;
    if (!profile) return extra;
    const base = profile.byRegion?.[region] ?? profile.default;
    const jitter = profile.jitterMs ? (this.rng.next() * 2 - 1) * profile.jitterMs : 0;
    return Math.max(0, base + jitter) + extra;
  }

  private process(req: IncomingMessage, body: Buffer): Answer {
    const requestId = this.requestId();
    const auth = parseAuthorization(req.headers.authorization);
    // Security Hub (restJson1) has its own handler: src/sim/securityhub/service.ts.
    if (typeof auth === 'object' && auth.service === 'securityhub') {
      this.lastRouted = { service: 'securityhub', operation: SimSecurityHub.operationOf(req), input: {} };
      return { outcome: this.securityHub.handle(req, body, auth, requestId), delayMs: this.latencyMs(auth.region, 0) };
    }
    const routed = routeRequest(typeof auth === 'object' ? auth.service : undefined, req.headers, body);
    this.lastRouted = { service: routed.service, operation: routed.operation, input: routed.json ?? Object.fromEntries(routed.form ?? []) };
    const region = typeof auth === 'object' ? auth.region : '';
    const fail = (err: AwsError, extraMs = 0): Answer => ({ outcome: errorReply(routed.service, err, requestId), delayMs: this.latencyMs(region, extraMs) });
    if (routed.operation !== '' && isKnownOperation(routed.service, routed.operation)) this.stats.count(`${routed.service}:${routed.operation}`);
    const admitted = this.admit(req, body, auth, routed, region);
    if (admitted instanceof AwsError) return fail(admitted);
    return this.answer(routed, admitted, requestId, fail);
  }

  /** Who is calling, and in which account and region: or the error AWS would answer (unsigned, unknown, expired, region not enabled). */
  private admit(req: IncomingMessage, body: Buffer, auth: ParsedAuthorization | 'missing' | 'malformed', routed: RoutedRequest, region: string): Admitted | AwsError {
    const service = routed.service;
    if (typeof auth !== 'object') {
      this.stats.authFailures++;
      return commonError(service, auth === 'missing' ? 'missingAuth' : 'incompleteSignature');
    }
    const identity = this.authenticate(req, body, auth, service);
    if (identity instanceof AwsError) {
      this.stats.authFailures++;
      return identity;
    }
    if (routed.error) return routed.error;
    if (!isKnownOperation(service, routed.operation)) return commonError(service, 'unknownOperation');
    const account = this.index.accounts.get(identity.accountId);
    if (!account) return commonError(service, 'unknownKey');
    // A region not enabled for the account rejects the credentials (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
    // Organizations is global: its signing region is not a regional endpoint of the account.
    if (service !== 'organizations' && !this.index.isRegionEnabled(account, region)) return commonError(service, 'regionDisabled');
    this.stats.countScope(account.id, region, `${service}:${routed.operation}`);
    return { identity, account, region };
  }

  /** An admitted call: faults first, then quotas, then the service's own answer. */
  private answer(routed: RoutedRequest, admitted: Admitted, requestId: string, fail: (err: AwsError, extraMs?: number) => Answer): Answer {
    const { identity, account, region } = admitted;
    const service = routed.service;
    const operation = `${service}:${routed.operation}`;
    const now = this.now();
    const faultRequest = { accountId: account.id, region, operation, ...this.faultDetails(routed) };
    const faulted = this.faults.empty ? 0 : this.injectFault(faultRequest, identity, service, fail);
    if (typeof faulted !== 'number') return faulted;
    const extraMs = faulted;
    if (this.quotas && !this.quotas.take(account.id, region, service, routed.operation, now)) {
      this.stats.throttled++;
      return fail(commonError(service, 'throttle'), extraMs);
    }
    const ctx: CallContext = { runtime: this, identity, account, region, operation: routed.operation, now, keysListed: (keys) => this.keysListed(account, region, keys) };
    try {
      const rewrite = this.faults.empty ? undefined : (output: unknown): unknown => this.faults.rewrite(faultRequest, output);
      return { outcome: invoke(ctx, routed, requestId, rewrite), delayMs: this.latencyMs(region, extraMs) };
    } catch (e) {
      if (e instanceof AwsError) return fail(e, extraMs);
      process.emitWarning(`simulator: ${operation} failed: ${e instanceof Error ? e.stack : String(e)}`);
      return fail(commonError(service, 'internal'), extraMs);
    }
  }

  /** The fault set's decision: a terminal answer, or the extra latency (ms) for the call to go on with. */
  private injectFault(request: FaultRequest, identity: Identity, service: ServiceName, fail: (err: AwsError, extraMs?: number) => Answer): Answer | number {
    const decision = this.faults.decide(request);
    const extraMs = decision.extraLatencyMs;
    if (decision.terminal === 'drop-connection') return { outcome: 'drop', delayMs: this.latencyMs(request.region, extraMs) };
    if (decision.terminal === undefined) return extraMs;
    if (decision.terminal === 'throttle') this.stats.throttled++;
    const kind = FAULT_ERRORS[decision.terminal];
    return fail(commonError(service, kind, kind === 'accessDenied' ? deniedMessage(identity, request.operation) : undefined), extraMs);
  }

  private faultDetails(routed: RoutedRequest): { targetAccountId?: string; keyId?: string } {
    const keyId = routed.json?.KeyId;
    if (typeof keyId === 'string') return { keyId };
    const roleArn = routed.form?.get('RoleArn');
    if (roleArn) return { targetAccountId: roleArn.split(':')[4] ?? '' };
    return {};
  }

  private authenticate(req: IncomingMessage, body: Buffer, auth: ParsedAuthorization, service: ServiceName): Identity | AwsError {
    const identity = this.credentials.get(auth.accessKeyId);
    if (!identity) return commonError(service, 'unknownKey');
    const token = req.headers['x-amz-security-token'];
    if ((identity.sessionToken ?? undefined) !== (typeof token === 'string' ? token : undefined)) return commonError(service, 'unknownKey');
    if (!verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, auth, identity.secretAccessKey)) {
      return commonError(service, 'badSignature');
    }
    if (identity.expiresAt !== undefined && this.now() >= identity.expiresAt) return commonError(service, 'expired');
    return identity;
  }

  private keysListed(account: SimAccount, region: string, keys: SimKey[]): void {
    if (this.faults.empty || keys.length === 0) return;
    const doomed = this.faults.keysToDelete({ accountId: account.id, region, operation: 'kms:ListKeys' }, keys.map((k) => k.keyId));
    for (const keyId of doomed) {
      const key = this.index.regionKeys(account.id, region)?.byId.get(keyId);
      if (key) this.index.deleteKey(account.id, key);
    }
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function deniedMessage(identity: Identity, operation: string): string {
  return `User: ${identity.arn} is not authorized to perform: ${operation} with an explicit deny in a service control policy`;
}

/** Start the simulated organization on 127.0.0.1 (port 0 = any free port). */
export async function startSimulator(options: SimOptions): Promise<Simulator> {
  const issues = scenarioIssues(options.scenario);
  if (issues.length > 0) throw new Error(`simulator scenario is invalid: ${issues[0]!.path}: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
  const sim = new SimServer(options);
  const server: Server = createServer({ keepAlive: true }, sim.onRequest);
  // Keep idle connections longer than the SDK's agent does, so a reused socket is never closed under it.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const credentialsFor = (accountId: string) => {
    if (!sim.index.accounts.has(accountId)) throw new Error(`simulator: no account ${accountId} in the scenario`);
    return toCredentials(sim.credentials.longTermFor(accountId));
  };
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    baseCredentials: credentialsFor(options.scenario.managementAccountId),
    scenario: options.scenario,
    stats: () => sim.stats.snapshot(),
    resetStats: () => sim.stats.reset(),
    setFaults: (faults) => sim.faults.set(faults),
    credentialsFor,
    reindex: () => sim.index.rebuild(),
    securityHub: sim.securityHub,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        sim.clearTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
