import { createHash } from 'node:crypto';
import { isOptInRegion } from '../regions.js';
import type { SimAccount, SimKey, SimRegion, SimScenario } from '../types.js';

/** The read role every generated account carries, and the default for hand-written accounts. */
export const READER_ROLE_NAME = 'KmsRotationAuditReader';

export type KeyInput = Partial<SimKey> & { region: string };
export type AccountInput = Partial<Omit<SimAccount, 'keys'>> & { id: string; keys?: KeyInput[] };
export interface ScenarioInput extends Partial<Omit<SimScenario, 'accounts' | 'regions'>> {
  accounts: AccountInput[];
  /** Region names (opt-in flag from the real partition list) or full entries. */
  regions?: (string | SimRegion)[];
}

let keySerial = 0;

function hashUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A customer managed symmetric key with rotation off, unless the input says otherwise. */
export function simKey(input: KeyInput): SimKey {
  const serial = ++keySerial;
  const keyId = input.keyId ?? (input.multiRegion ? `mrk-${hashUuid(`mrk-${serial}`).replace(/-/g, '')}` : hashUuid(`key-${serial}`));
  return {
    keyId,
    region: input.region,
    keyManager: input.keyManager ?? 'CUSTOMER',
    keySpec: input.keySpec ?? 'SYMMETRIC_DEFAULT',
    keyUsage: input.keyUsage ?? 'ENCRYPT_DECRYPT',
    origin: input.origin ?? 'AWS_KMS',
    keyState: input.keyState ?? 'Enabled',
    description: input.description ?? '',
    creationDate: input.creationDate ?? '2024-01-01T00:00:00.000Z',
    ...(input.deletionDate !== undefined ? { deletionDate: input.deletionDate } : {}),
    ...(input.customKeyStoreId !== undefined ? { customKeyStoreId: input.customKeyStoreId } : {}),
    ...(input.multiRegion !== undefined ? { multiRegion: input.multiRegion } : {}),
    ...(input.cloudHsmClusterId !== undefined ? { cloudHsmClusterId: input.cloudHsmClusterId } : {}),
    ...(input.xksKeyId !== undefined ? { xksKeyId: input.xksKeyId } : {}),
    ...(input.expirationModel !== undefined ? { expirationModel: input.expirationModel } : {}),
    ...(input.validTo !== undefined ? { validTo: input.validTo } : {}),
    rotation: input.rotation ?? { enabled: false },
    rotations: input.rotations ?? [],
    aliases: input.aliases ?? [],
    tags: input.tags ?? {},
  };
}

/** The older Organizations `Status` that goes with a `State` (Status knows no CLOSED or PENDING_ACTIVATION). */
export function legacyStatus(state: string | undefined): string | undefined {
  if (state === 'ACTIVE' || state === 'SUSPENDED' || state === 'PENDING_CLOSURE') return state;
  if (state === 'CLOSED') return 'SUSPENDED';
  return undefined;
}

/** An ACTIVE account with the reader role; parentId defaults to the root once placed in a scenario. */
export function simAccount(input: AccountInput): SimAccount {
  const state = input.state ?? 'ACTIVE';
  const status = 'status' in input ? input.status : legacyStatus(state);
  const account: SimAccount = {
    id: input.id,
    name: input.name ?? `account-${input.id}`,
    email: input.email ?? `aws+${input.id}@example.com`,
    state,
    ...(status !== undefined ? { status } : {}),
    ...(input.omitState ? { omitState: true } : {}),
    parentId: input.parentId ?? '',
    optedInRegions: input.optedInRegions ?? [],
    roles: input.roles ?? [{ name: READER_ROLE_NAME }],
    keys: (input.keys ?? []).map(simKey),
  };
  if (input.tags !== undefined) account.tags = input.tags;
  if (input.joinedTimestamp !== undefined) account.joinedTimestamp = input.joinedTimestamp;
  if (input.joinedMethod !== undefined) account.joinedMethod = input.joinedMethod;
  if (input.delegatedAdministrator !== undefined) account.delegatedAdministrator = input.delegatedAdministrator;
  return account;
}

function region(entry: string | SimRegion): SimRegion {
  if (typeof entry !== 'string') return entry;
  const optIn = isOptInRegion(entry);
  if (optIn === undefined) throw new Error(`region ${entry} is not a known commercial region; give it as { "name": "${entry}", "optIn": false }`);
  return { name: entry, optIn };
}

/**
 * A scenario from a few hand-written accounts: the first account is the management account
 * unless managementAccountId says otherwise; regions default to us-east-1 and eu-west-1 plus
 * every region the keys and opt-ins mention.
 */
export function simScenario(input: ScenarioInput): SimScenario {
  const rootId = input.rootId ?? 'r-ex01';
  const accounts = input.accounts.map((a) => {
    const account = simAccount(a);
    if (account.parentId === '') account.parentId = rootId;
    return account;
  });
  const regions = new Map<string, SimRegion>();
  for (const entry of input.regions ?? ['us-east-1', 'eu-west-1']) {
    const r = region(entry);
    regions.set(r.name, r);
  }
  if (input.regions === undefined) {
    for (const a of accounts) {
      for (const name of [...a.optedInRegions, ...a.keys.map((k) => k.region)]) if (!regions.has(name)) regions.set(name, region(name));
    }
  }
  const management = input.managementAccountId ?? accounts[0]?.id;
  if (management === undefined) throw new Error('a scenario needs at least one account');
  return {
    partition: 'aws',
    organizationId: input.organizationId ?? 'o-exampleorg1',
    rootId,
    managementAccountId: management,
    homeRegion: input.homeRegion ?? 'us-east-1',
    regions: [...regions.values()],
    ous: input.ous ?? [],
    accounts,
    ...(input.withPaths !== undefined ? { withPaths: input.withPaths } : {}),
  };
}
