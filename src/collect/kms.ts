/**
 * Collects the KMS keys of one account in one region, with only the calls needed:
 * ListKeys (Limit 1000) and, when there are keys, ListAliases (Limit 100), each to the last page;
 * DescribeKey per key; GetKeyRotationStatus and ListKeyRotations only for keys the rule needs them
 * for (the predicate comes from the rule). No key is dropped: a key whose calls fail carries the
 * failure, and the rule turns it into ERROR. Facts only: nothing here decides PASS or FAIL.
 */
import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  type AliasListEntry,
  type KeyListEntry,
  type KeyMetadata,
  type KMSClient,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { classifyError, toErrorRecord } from '../aws/errors.js';
import { collectPages } from '../aws/paging.js';
import type { CallOptions } from '../aws/throttle.js';
import type { AwsErrorRecord } from '../results/types.js';
import type { CollectionFailure, KeyFacts, KeyMetadataFacts, RotationFacts } from './facts.js';
import { AWS_MAX, bounded } from '../bounds.js';
import { forEachLimit } from './pool.js';

/** Runs one KMS call of this account and region under the throttle. */
export type KmsCaller = <T>(operation: string, send: () => Promise<T>, options?: CallOptions) => Promise<T>;

export interface RegionTarget {
  partition: string;
  accountId: string;
  region: string;
  client: KMSClient;
  call: KmsCaller;
  /** From the rule: whether a key with this metadata needs its rotation status and history. */
  needsRotationStatus: (metadata: KeyMetadataFacts) => boolean;
  /** Whether to collect tags of a key now (collectTags 'all'); 'failing' is done after judgement with fetchTags. */
  wantTags: (metadata: KeyMetadataFacts) => boolean;
  /** Keys of this region processed at once (the throttle caps requests in flight globally). */
  keyConcurrency: number;
}

/** Per-key call tallies (attempts, retries included), for calls-per-key figures. */
export interface KeyCallTally {
  eligibleKeys: number;
  eligibleCalls: number;
  otherKeys: number;
  otherCalls: number;
}

export type RegionCollection =
  | { status: 'scanned'; keys: KeyFacts[]; tally: KeyCallTally; aliasesError: AwsErrorRecord | null }
  | { status: 'not_enabled'; error: AwsErrorRecord }
  | { status: 'error'; error: AwsErrorRecord };

export function emptyTally(): KeyCallTally {
  return { eligibleKeys: 0, eligibleCalls: 0, otherKeys: 0, otherCalls: 0 };
}

export async function collectRegion(target: RegionTarget): Promise<RegionCollection> {
  let listed: KeyListEntry[];
  try {
    listed = await collectPages(async (marker) => {
      const out = await target.call('kms:ListKeys', () => target.client.send(new ListKeysCommand({ Limit: 1000, Marker: marker })));
      return { items: out.Keys, next: out.Truncated ? out.NextMarker : undefined };
    });
  } catch (err) {
    const error = toErrorRecord(err, 'kms:ListKeys');
    // A region not enabled for the account answers UnrecognizedClientException (aws-facts.md "Regions").
    return classifyError(err) === 'not-enabled' ? { status: 'not_enabled', error } : { status: 'error', error };
  }
  const tally = emptyTally();
  if (listed.length === 0) return { status: 'scanned', keys: [], tally, aliasesError: null };

  const aliasesPromise = listAliases(target);
    // Each key once, even if pages overlap (ListKeys is eventually consistent).
  const seen = new Set<string>();
  const entries = listed.filter((entry): entry is KeyListEntry & { KeyId: string } => typeof entry.KeyId === 'string' && !seen.has(entry.KeyId) && seen.add(entry.KeyId) !== undefined);
  const keys: KeyFacts[] = new Array<KeyFacts>(entries.length);
  await forEachLimit(entries, target.keyConcurrency, async (entry, index) => {
    // collectKey records AWS failures itself; anything else is a bug, still kept as a key that could not be checked.
    keys[index] = await collectKey(target, entry, tally).catch((err: unknown) => ({
      keyId: entry.KeyId,
      keyArn: entry.KeyArn ?? entry.KeyId,
      aliases: [],
      metadata: null,
      rotation: null,
      tags: null,
      failure: { kind: 'call-failed' as const, error: { ...toErrorRecord(err, 'collect'), code: 'InternalError' } },
    }));
  });
  const aliases = await aliasesPromise;
  const facts = keys.filter((key): key is KeyFacts => key !== undefined);
  if (aliases.byKey) for (const key of facts) key.aliases = aliases.byKey.get(key.keyId) ?? [];
  return { status: 'scanned', keys: facts, tally, aliasesError: aliases.error };
}

async function listAliases(target: RegionTarget): Promise<{ byKey: Map<string, string[]> | null; error: AwsErrorRecord | null }> {
  try {
    const byKey = new Map<string, string[]>();
    await collectPages<AliasListEntry>(
      async (marker) => {
        const out = await target.call('kms:ListAliases', () => target.client.send(new ListAliasesCommand({ Limit: 100, Marker: marker })));
        return { items: out.Aliases, next: out.Truncated ? out.NextMarker : undefined };
      },
      (page) => {
        for (const alias of page) {
          if (!alias.TargetKeyId || !alias.AliasName) continue;
          const list = byKey.get(alias.TargetKeyId) ?? [];
          list.push(bounded(alias.AliasName, AWS_MAX.alias));
          byKey.set(alias.TargetKeyId, list);
        }
      },
    );
    for (const list of byKey.values()) list.sort();
    return { byKey, error: null };
  } catch (err) {
    return { byKey: null, error: toErrorRecord(err, 'kms:ListAliases') };
  }
}

async function collectKey(target: RegionTarget, entry: KeyListEntry & { KeyId: string }, tally: KeyCallTally): Promise<KeyFacts> {
  let calls = 0;
  const counted: CallOptions = { onAttempt: () => calls++ };
  const keyId = entry.KeyId;
  const facts: KeyFacts = {
    keyId,
    keyArn: entry.KeyArn ?? `arn:${target.partition}:kms:${target.region}:${target.accountId}:key/${keyId}`,
    aliases: [],
    metadata: null,
    rotation: null,
    tags: null,
    failure: null,
  };
  let eligible = false;
  try {
    const described = await target.call('kms:DescribeKey', () => target.client.send(new DescribeKeyCommand({ KeyId: keyId })), counted);
    if (!described.KeyMetadata) throw Object.assign(new Error('DescribeKey answered without KeyMetadata'), { name: 'IncompleteResponse' });
    facts.metadata = toMetadataFacts(described.KeyMetadata);
    if (described.KeyMetadata.Arn) facts.keyArn = described.KeyMetadata.Arn;
  } catch (err) {
    facts.failure = failureOf(err, 'kms:DescribeKey');
  }
  if (facts.metadata) {
    eligible = target.needsRotationStatus(facts.metadata);
    const work: Promise<void>[] = [];
    if (eligible) {
      work.push(
        rotationFacts(target, keyId, counted).then(
          (rotation) => {
            facts.rotation = rotation;
          },
          (failure: CollectionFailure) => {
            facts.failure = failure;
          },
        ),
      );
    }
    if (target.wantTags(facts.metadata)) {
      work.push(
        fetchTags(target, keyId, counted).then((tags) => {
          facts.tags = tags;
        }),
      );
    }
    await Promise.all(work);
  }
  if (eligible) {
    tally.eligibleKeys++;
    tally.eligibleCalls += calls;
  } else {
    tally.otherKeys++;
    tally.otherCalls += calls;
  }
  return facts;
}

/** GetKeyRotationStatus and ListKeyRotations together; rejects with a failure (GetKeyRotationStatus's first). */
async function rotationFacts(target: RegionTarget, keyId: string, counted: CallOptions): Promise<RotationFacts> {
  const [statusResult, latestResult] = await Promise.allSettled([
    target.call('kms:GetKeyRotationStatus', () => target.client.send(new GetKeyRotationStatusCommand({ KeyId: keyId })), counted),
    latestRotation(target, keyId, counted),
  ]);
  if (statusResult.status === 'rejected') throw failureOf(statusResult.reason, 'kms:GetKeyRotationStatus');
  if (latestResult.status === 'rejected') throw failureOf(latestResult.reason, 'kms:ListKeyRotations');
  const status = statusResult.value;
  const latest = latestResult.value;
  return {
    enabled: status.KeyRotationEnabled === true,
    periodDays: typeof status.RotationPeriodInDays === 'number' ? status.RotationPeriodInDays : null,
    nextRotationDate: iso(status.NextRotationDate),
    onDemandRotationStartDate: iso(status.OnDemandRotationStartDate),
    lastRotationDate: latest ? iso(latest.RotationDate) : null,
    lastRotationType: latest?.RotationType === 'AUTOMATIC' || latest?.RotationType === 'ON_DEMAND' ? latest.RotationType : null,
  };
}

/** The API reference does not promise an order for ListKeyRotations: page to the end, keep the latest. */
async function latestRotation(target: RegionTarget, keyId: string, counted: CallOptions): Promise<RotationsListEntry | null> {
  let latest: RotationsListEntry | null = null;
  await collectPages<RotationsListEntry>(
    async (marker) => {
      const out = await target.call('kms:ListKeyRotations', () => target.client.send(new ListKeyRotationsCommand({ KeyId: keyId, Limit: 1000, Marker: marker })), counted);
      return { items: out.Rotations, next: out.Truncated ? out.NextMarker : undefined };
    },
    (page) => {
      for (const rotation of page) {
        if (rotation.RotationDate && (!latest?.RotationDate || rotation.RotationDate > latest.RotationDate)) latest = rotation;
      }
    },
  );
  return latest;
}

/** Tags of one key; null when they could not be read (tags never decide a status). */
export async function fetchTags(target: Pick<RegionTarget, 'client' | 'call'>, keyId: string, options?: CallOptions): Promise<Record<string, string> | null> {
  try {
    const tags: Record<string, string> = {};
    await collectPages(
      async (marker) => {
        const out = await target.call('kms:ListResourceTags', () => target.client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 50, Marker: marker })), options);
        return { items: out.Tags, next: out.Truncated ? out.NextMarker : undefined };
      },
      (page) => {
        for (const tag of page) if (tag.TagKey !== undefined) tags[bounded(tag.TagKey, AWS_MAX.tagKey)] = bounded(tag.TagValue ?? '', AWS_MAX.tagValue);
      },
    );
    return tags;
  } catch {
    return null;
  }
}

function failureOf(err: unknown, operation: string): CollectionFailure {
  return { kind: classifyError(err) === 'not-found' ? 'deleted' : 'call-failed', error: toErrorRecord(err, operation) };
}

export function toMetadataFacts(m: KeyMetadata): KeyMetadataFacts {
  const type = m.MultiRegionConfiguration?.MultiRegionKeyType;
  return {
    keyManager: m.KeyManager ?? null,
    // CustomerMasterKeySpec is the deprecated name of KeySpec (aws-facts.md "DescribeKey fields used").
    keySpec: m.KeySpec ?? m.CustomerMasterKeySpec ?? null,
    keyUsage: m.KeyUsage ?? null,
    origin: m.Origin ?? null,
    keyState: m.KeyState ?? null,
    enabled: typeof m.Enabled === 'boolean' ? m.Enabled : null,
    multiRegionType: type === 'PRIMARY' || type === 'REPLICA' ? type : null,
    primaryKeyArn: m.MultiRegionConfiguration?.PrimaryKey?.Arn ?? null,
    customKeyStoreId: m.CustomKeyStoreId ?? null,
    creationDate: iso(m.CreationDate),
    deletionDate: iso(m.DeletionDate),
    description: bounded(m.Description ?? null, AWS_MAX.description),
  };
}

function iso(date: Date | undefined): string | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}
