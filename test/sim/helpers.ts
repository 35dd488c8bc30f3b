import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import type { SimCredentials, Simulator } from '../../src/sim/index.js';

/** Real SDK clients pointed at the simulator; maxAttempts 1 so tests see raw answers. */
export interface ClientOptions {
  credentials?: SimCredentials;
  region?: string;
  maxAttempts?: number;
}

function config(sim: Simulator, o: ClientOptions) {
  return { endpoint: sim.endpoint, region: o.region ?? 'us-east-1', credentials: o.credentials ?? sim.baseCredentials, maxAttempts: o.maxAttempts ?? 1 };
}

export const kmsClient = (sim: Simulator, o: ClientOptions = {}): KMSClient => new KMSClient(config(sim, o));
export const orgClient = (sim: Simulator, o: ClientOptions = {}): OrganizationsClient => new OrganizationsClient(config(sim, o));
export const stsClient = (sim: Simulator, o: ClientOptions = {}): STSClient => new STSClient(config(sim, o));
export const ec2Client = (sim: Simulator, o: ClientOptions = {}): EC2Client => new EC2Client(config(sim, o));
export const securityHubClient = (sim: Simulator, o: ClientOptions = {}): SecurityHubClient => new SecurityHubClient(config(sim, o));

/** The rejection of a promise, for `expect(...).toMatchObject` on SDK exceptions. */
export async function failure(p: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected the call to fail, it succeeded');
}
