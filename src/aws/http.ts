/**
 * One keep-alive HTTP(S) agent pair for every SDK client of a scan. SDK clients are created per
 * account × region and destroyed when that unit finishes; `client.destroy()` calls the request
 * handler's destroy(), which would close the shared agents (NodeHttpHandler.destroy), so the
 * shared handler ignores it and is closed once, by the scan, with `close()`.
 * It also records the origin of every request it sends (`origins()`): the endpoints the scan's data
 * actually came from, whichever way the SDK resolved them (an explicit endpoint, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, the shared config file, or AWS's own endpoint rules).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { originOf } from './endpoints.js';

export interface HttpOptions {
  maxSockets: number;
  /** Abandon a connection attempt after this long (ms). */
  connectionTimeoutMs?: number;
  /** Abandon a request whose response has not completed after this long (ms). */
  requestTimeoutMs?: number;
}

export class SharedHttpHandler extends NodeHttpHandler {
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private readonly seen = new Set<string>();

  constructor(options: HttpOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: Math.min(options.maxSockets, 256) };
    const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
    super({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    });
    this.agents = agents;
  }

  override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    this.seen.add(originOf(args[0]));
    return super.handle(...args);
  }

  /** Origins requests were sent to so far (`https://kms.eu-west-1.amazonaws.com`), sorted. */
  origins(): string[] {
    return [...this.seen].sort();
  }

  /** Per-client destroy: the agents are shared, keep them. */
  override destroy(): void {}

  /** Closes the shared agents (end of scan). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
