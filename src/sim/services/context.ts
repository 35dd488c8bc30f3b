import type { CredentialStore, Identity } from '../credentials.js';
import type { ScenarioIndex } from '../state.js';
import type { SimAccount, SimKey, SimOptions } from '../types.js';

/** What a service handler sees of the simulator. */
export interface SimRuntime {
  index: ScenarioIndex;
  credentials: CredentialStore;
  options: SimOptions;
  now(): number;
}

/** One authenticated call. */
export interface CallContext {
  runtime: SimRuntime;
  identity: Identity;
  /** The account the access key belongs to: every answer comes from its data. */
  account: SimAccount;
  region: string;
  operation: string;
  now: number;
  /** ListKeys calls this with the keys it lists (fault "delete-key" acts on them). */
  keysListed(keys: SimKey[]): void;
}
