/**
 * One keep-alive HTTP(S) agent pair for every SDK client of a scan. SDK clients are created per
 * account × region and destroyed when that unit finishes; `client.destroy()` calls the request
 * handler's destroy(), which would close the shared agents (NodeHttpHandler.destroy), so the
 * shared handler ignores it and is closed once, by the scan, with `close()`.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface HttpOptions {
  maxSockets: number;
  /** Abandon a connection attempt after this long (ms). */
  connectionTimeoutMs?: number;
  /** Abandon a request whose response has not completed after this long (ms). */
  requestTimeoutMs?: number;
}

export class SharedHttpHandler extends NodeHttpHandler {
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

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

  /** Per-client destroy: the agents are shared, keep them. */
  override destroy(): void {}

  /** Closes the shared agents (end of scan). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
