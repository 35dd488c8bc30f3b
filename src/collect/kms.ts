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
import type { AwsErrorRecord } from '../core/results.js';
import type { CollectionFailure, EvidenceGap, KeyFacts, KeyMetadataFacts, RotationFacts } from './facts.js';
import { AWS_MAX, bounded } from '../core/bounds.js';
import { forEachLimit } from '../core/pool.js';

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
  /** From the rule: the period AWS applies when GetKeyRotationStatus leaves RotationPeriodInDays out (named in the row's note). */
  defaultPeriodDays: number;
}

/** Per-key call tallies (attempts, retries included), for calls-per-key figures. */
export interface KeyCallTally {
  eligibleKeys: number;
  eligibleCalls: number;
  otherKeys: number;
  otherCalls: number;
}

export type RegionCollection =
  | {
      status: 'scanned';
      keys: KeyFacts[];
      tally: KeyCallTally;
      aliasesError: AwsErrorRecord | null;
      /** ListKeys entries that carried no KeyId (a coverage error for the region: those keys cannot be judged). */
      entriesWithoutKeyId: number;
      /** Region-level inferences (e.g. a page with NextMarker but no Truncated was taken as truncated). */
      inferences: string[];
    }
  | { status: 'not_enabled'; error: AwsErrorRecord }
  | { status: 'error'; error: AwsErrorRecord };

export function emptyTally(): KeyCallTally {
  return { eligibleKeys: 0, eligibleCalls: 0, otherKeys: 0, otherCalls: 0 };
}

/** Key states in which KMS is still creating or updating the key: looked at again once after the rest of the region. */
const TRANSITIONAL_STATES: ReadonlySet<string> = new Set(['Creating', 'Updating']);

/**
 * The next page's marker. The model marks neither Truncated nor NextMarker required: a page with a
 * NextMarker but no Truncated is taken as truncated (there is more to read), and recorded.
 */
function nextMarker(out: { Truncated?: boolean; NextMarker?: string }, operation: string, inferences: string[]): string | undefined {
  if (out.Truncated === true) return out.NextMarker;
  if (out.Truncated === undefined && typeof out.NextMarker === 'string' && out.NextMarker !== '') {
    const note = `${operation} answered a NextMarker without Truncated: paged on.`;
    if (!inferences.includes(note)) inferences.push(note);
    return out.NextMarker;
  }
  return undefined;
}

export async function collectRegion(target: RegionTarget): Promise<RegionCollection> {
  const inferences: string[] = [];
  const listed = await listKeys(target, inferences);
  if (!Array.isArray(listed)) return listed;
  const tally = emptyTally();
  const { entries, entriesWithoutKeyId } = distinctEntries(listed);
  if (entries.length === 0) return { status: 'scanned', keys: [], tally, aliasesError: null, entriesWithoutKeyId, inferences };
  const aliasesPromise = listAliases(target, inferences);
  const keys = await collectKeys(target, entries, tally);
  const aliases = await aliasesPromise;
  for (const key of keys) {
    if (aliases.byKey) key.aliases = aliases.byKey.get(key.keyId) ?? [];
    else if (aliases.error) key.evidenceGaps.push({ evidence: 'aliases', error: aliases.error });
  }
  return { status: 'scanned', keys, tally, aliasesError: aliases.error, entriesWithoutKeyId, inferences };
}

type ListedKey = KeyListEntry & { KeyId: string };

/** Every ListKeys page, or the region's outcome when ListKeys fails. */
async function listKeys(target: RegionTarget, inferences: string[]): Promise<KeyListEntry[] | Extract<RegionCollection, { error: AwsErrorRecord }>> {
  try {
    return await collectPages(async (marker) => {
      const out = await target.call('kms:ListKeys', () => target.client.send(new ListKeysCommand({ Limit: 1000, Marker: marker })));
      return { items: out.Keys, next: nextMarker(out, 'kms:ListKeys', inferences) };
    });
  } catch (err) {
    const error = toErrorRecord(err, 'kms:ListKeys');
    // A region not enabled for the account answers UnrecognizedClientException (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html);
    // the caller decides whether that is "not enabled" or a coverage error (DescribeRegions said enabled).
    return classifyError(err) === 'not-enabled' ? { status: 'not_enabled', error } : { status: 'error', error };
  }
}

/** Each key once, even if pages overlap (ListKeys is eventually consistent); entries without a KeyId counted apart. */
function distinctEntries(listed: readonly KeyListEntry[]): { entries: ListedKey[]; entriesWithoutKeyId: number } {
  const seen = new Set<string>();
  let entriesWithoutKeyId = 0;
  const entries: ListedKey[] = [];
  for (const entry of listed) {
    if (typeof entry.KeyId !== 'string' || entry.KeyId === '') {
      entriesWithoutKeyId++;
      continue;
    }
    if (seen.has(entry.KeyId)) continue;
    seen.add(entry.KeyId);
    entries.push(entry as ListedKey);
  }
  return { entries, entriesWithoutKeyId };
}

/** The facts of every listed key, in list order; keys KMS was still creating or updating are looked at once more after the rest. */
async function collectKeys(target: RegionTarget, entries: readonly ListedKey[], tally: KeyCallTally): Promise<KeyFacts[]> {
  const keys: KeyFacts[] = new Array<KeyFacts>(entries.length);
  const collectOne = (entry: ListedKey): Promise<KeyFacts> =>
    // collectKey records AWS failures itself; anything else is a bug, still kept as a key that could not be checked.
    collectKey(target, entry, tally).catch((err: unknown) => ({
      ...blankFacts(entry.KeyId, entry.KeyArn ?? entry.KeyId),
      failure: { kind: 'call-failed' as const, error: { ...toErrorRecord(err, 'collect'), code: 'InternalError' } },
    }));
  await forEachLimit(entries, target.keyConcurrency, async (entry, index) => {
    keys[index] = await collectOne(entry);
  });
  // Keys KMS was still creating or updating: once more after the rest of the region, then ERROR naming the state.
  const pending = entries.map((entry, index) => ({ entry, index })).filter(({ index }) => isTransitional(keys[index]));
  await forEachLimit(pending, target.keyConcurrency, async ({ entry, index }) => {
    const again = await collectOne(entry);
    if (isTransitional(again)) again.failure = notReady(again.metadata!.keyState!);
    keys[index] = again;
  });
  return keys.filter((key): key is KeyFacts => key !== undefined);
}

function notReady(state: string): CollectionFailure {
  return {
    kind: 'not-ready',
    detail: state,
    error: { code: 'KeyStateNotReady', message: `The key was still in state ${state} when looked at again after the rest of its region.`, operation: 'kms:DescribeKey' },
  };
}

function isTransitional(facts: KeyFacts | undefined): boolean {
  return facts !== undefined && facts.failure === null && facts.metadata !== null && TRANSITIONAL_STATES.has(facts.metadata.keyState ?? '');
}

function blankFacts(keyId: string, keyArn: string): KeyFacts {
  return { keyId, keyArn, aliases: [], metadata: null, rotation: null, tags: null, failure: null, evidenceGaps: [], inferences: [] };
}

async function listAliases(target: RegionTarget, inferences: string[]): Promise<{ byKey: Map<string, string[]> | null; error: AwsErrorRecord | null }> {
  try {
    const byKey = new Map<string, string[]>();
    await collectPages<AliasListEntry>(
      async (marker) => {
        const out = await target.call('kms:ListAliases', () => target.client.send(new ListAliasesCommand({ Limit: 100, Marker: marker })));
        return { items: out.Aliases, next: nextMarker(out, 'kms:ListAliases', inferences) };
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

async function collectKey(target: RegionTarget, entry: ListedKey, tally: KeyCallTally): Promise<KeyFacts> {
  return collectOneKey(target, entry.KeyId, entry.KeyArn ?? `arn:${target.partition}:kms:${target.region}:${target.accountId}:key/${entry.KeyId}`, entry.KeyId, tally);
}

/**
 * One key read by its ARN, outside ListKeys: the primary of a multi-Region set whose replica is in
 * scope while the primary's region is not (DescribeKey, GetKeyRotationStatus, ListKeyRotations on
 * the ARN, in the primary's region, with the account's session).
 */
export async function collectKeyByArn(target: RegionTarget, keyArn: string, tally: KeyCallTally): Promise<KeyFacts> {
  const keyId = keyArn.slice(keyArn.lastIndexOf('/') + 1);
  return collectOneKey(target, keyId, keyArn, keyArn, tally).catch((err: unknown) => ({
    ...blankFacts(keyId, keyArn),
    failure: { kind: 'call-failed' as const, error: { ...toErrorRecord(err, 'collect'), code: 'InternalError' } },
  }));
}

async function collectOneKey(target: RegionTarget, keyId: string, keyArn: string, ref: string, tally: KeyCallTally): Promise<KeyFacts> {
  let calls = 0;
  const counted: CallOptions = { onAttempt: () => calls++ };
  const facts: KeyFacts = blankFacts(keyId, keyArn);
  let eligible = false;
  try {
    const described = await target.call('kms:DescribeKey', () => target.client.send(new DescribeKeyCommand({ KeyId: ref })), counted);
    if (!described.KeyMetadata) throw Object.assign(new Error('DescribeKey answered without KeyMetadata'), { name: 'IncompleteResponse' });
    facts.metadata = toMetadataFacts(described.KeyMetadata, facts.inferences);
    if (described.KeyMetadata.Arn) facts.keyArn = described.KeyMetadata.Arn;
  } catch (err) {
    facts.failure = failureOf(err, 'kms:DescribeKey');
  }
  // A key KMS is still creating or updating is looked at again later (collectRegion), not now.
  if (facts.metadata && !TRANSITIONAL_STATES.has(facts.metadata.keyState ?? '')) {
    eligible = target.needsRotationStatus(facts.metadata);
    const work: Promise<void>[] = [];
    if (eligible) {
      work.push(
        rotationFacts(target, ref, counted, facts.evidenceGaps, facts.inferences).then(
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
        fetchTags(target, ref, counted, facts.inferences).then(({ tags, error }) => {
          facts.tags = tags;
          if (error) facts.evidenceGaps.push({ evidence: 'tags', error });
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

/**
 * GetKeyRotationStatus decides; ListKeyRotations is evidence of past rotations only. Rejects with a
 * failure when GetKeyRotationStatus fails or answers without a boolean KeyRotationEnabled (the
 * model marks no member of that output required: no evidence is no verdict). A ListKeyRotations
 * failure is recorded in `gaps` and leaves the history empty; how its pages were read, in `inferences`.
 */
async function rotationFacts(target: RegionTarget, ref: string, counted: CallOptions, gaps: EvidenceGap[], inferences: string[]): Promise<RotationFacts> {
  const [statusResult, latestResult] = await Promise.allSettled([
    target.call('kms:GetKeyRotationStatus', () => target.client.send(new GetKeyRotationStatusCommand({ KeyId: ref })), counted),
    latestRotation(target, ref, counted, inferences),
  ]);
  if (statusResult.status === 'rejected') throw failureOf(statusResult.reason, 'kms:GetKeyRotationStatus');
  const status = statusResult.value;
  const enabled: unknown = status.KeyRotationEnabled;
  if (typeof enabled !== 'boolean') {
    throw {
      kind: 'incomplete',
      detail: 'KeyRotationEnabled',
      error: { code: 'IncompleteResponse', message: `GetKeyRotationStatus answered KeyRotationEnabled ${enabled === undefined ? 'absent' : `as ${JSON.stringify(enabled)?.slice(0, 40)}`}, not a boolean.`, operation: 'kms:GetKeyRotationStatus' },
    } satisfies CollectionFailure;
  }
  // The model marks RotationPeriodInDays optional (answers from before April 2024, and emulators,
  // leave it out); AWS documents its default as the period then. Read so, and said so on the row.
  if (enabled && typeof status.RotationPeriodInDays !== 'number') inferences.push(`RotationPeriodInDays absent: ${target.defaultPeriodDays} days read (the period AWS documents as the default).`);
  let latest: RotationsListEntry | null = null;
  if (latestResult.status === 'rejected') gaps.push({ evidence: 'rotation-history', error: toErrorRecord(latestResult.reason, 'kms:ListKeyRotations') });
  else latest = latestResult.value;
  return {
    enabled,
    periodDays: typeof status.RotationPeriodInDays === 'number' ? status.RotationPeriodInDays : null,
    nextRotationDate: iso(status.NextRotationDate),
    onDemandRotationStartDate: iso(status.OnDemandRotationStartDate),
    lastRotationDate: latest ? iso(latest.RotationDate) : null,
    lastRotationType: latest?.RotationType === 'AUTOMATIC' || latest?.RotationType === 'ON_DEMAND' ? latest.RotationType : null,
  };
}

/** The API reference does not promise an order for ListKeyRotations: page to the end, keep the latest. */
async function latestRotation(target: RegionTarget, ref: string, counted: CallOptions, inferences: string[]): Promise<RotationsListEntry | null> {
  let latest: RotationsListEntry | null = null;
  await collectPages<RotationsListEntry>(
    async (marker) => {
      const out = await target.call('kms:ListKeyRotations', () => target.client.send(new ListKeyRotationsCommand({ KeyId: ref, Limit: 1000, Marker: marker })), counted);
      return { items: out.Rotations, next: nextMarker(out, 'kms:ListKeyRotations', inferences) };
    },
    (page) => {
      for (const rotation of page) {
        if (rotation.RotationDate && (!latest?.RotationDate || rotation.RotationDate > latest.RotationDate)) latest = rotation;
      }
    },
  );
  return latest;
}

/**
 * Tags of one key; `tags` null with the error when they could not be read (tags never decide a
 * status). How the pages were read goes to `inferences` (the key's row).
 */
export async function fetchTags(target: Pick<RegionTarget, 'client' | 'call'>, keyId: string, options: CallOptions | undefined, inferences: string[]): Promise<{ tags: Record<string, string> | null; error: AwsErrorRecord | null }> {
  try {
    const tags: Record<string, string> = {};
    await collectPages(
      async (marker) => {
        const out = await target.call('kms:ListResourceTags', () => target.client.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 50, Marker: marker })), options);
        return { items: out.Tags, next: nextMarker(out, 'kms:ListResourceTags', inferences) };
      },
      (page) => {
        for (const tag of page) if (tag.TagKey !== undefined) tags[bounded(tag.TagKey, AWS_MAX.tagKey)] = bounded(tag.TagValue ?? '', AWS_MAX.tagValue);
      },
    );
    return { tags, error: null };
  } catch (err) {
    return { tags: null, error: toErrorRecord(err, 'kms:ListResourceTags') };
  }
}

function failureOf(err: unknown, operation: string): CollectionFailure {
  return { kind: classifyError(err) === 'not-found' ? 'deleted' : 'call-failed', error: toErrorRecord(err, operation) };
}

/**
 * DescribeKey's KeyMetadata as facts. Read tolerantly only where AWS's rules leave one answer, each
 * inference recorded in `inferences`: KeySpec absent → CustomerMasterKeySpec (its deprecated name,
 * KMS API reference, KeyMetadata: https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html); KeyUsage absent with KeySpec SYMMETRIC_DEFAULT →
 * ENCRYPT_DECRYPT (the CreateKey default, and the only usage a SYMMETRIC_DEFAULT key can have: KMS
 * API reference, CreateKey KeyUsage); a REPLICA naming itself as its primary → PRIMARY (KMS developer
 * guide, "Updating the primary Region": DescribeKey may briefly show both keys as replicas).
 */
function toMetadataFacts(m: KeyMetadata, inferences: string[] = []): KeyMetadataFacts {
  const rawType: unknown = m.MultiRegionConfiguration?.MultiRegionKeyType;
  let multiRegionType: KeyMetadataFacts['multiRegionType'] = rawType === 'PRIMARY' || rawType === 'REPLICA' ? rawType : null;
  const primaryKeyArn = m.MultiRegionConfiguration?.PrimaryKey?.Arn ?? null;
  const unknownMembers: string[] = [];
  if (rawType !== undefined && multiRegionType === null) unknownMembers.push(`MultiRegionConfiguration.MultiRegionKeyType ${safeValue(rawType)}`);
  else if (m.MultiRegion === true && multiRegionType === null) unknownMembers.push('MultiRegionConfiguration.MultiRegionKeyType (absent on a multi-Region key)');
  if (multiRegionType === 'REPLICA' && primaryKeyArn !== null && m.Arn !== undefined && primaryKeyArn === m.Arn) {
    multiRegionType = 'PRIMARY';
    inferences.push('DescribeKey said REPLICA but named this key as its own primary: judged as the primary.');
  }
  let keySpec = m.KeySpec ?? null;
  if (keySpec === null && m.CustomerMasterKeySpec !== undefined) {
    keySpec = m.CustomerMasterKeySpec;
    inferences.push(`KeySpec absent: read CustomerMasterKeySpec ${safeValue(keySpec)}.`);
  }
  let keyUsage = m.KeyUsage ?? null;
  if (keyUsage === null && keySpec === 'SYMMETRIC_DEFAULT') {
    keyUsage = 'ENCRYPT_DECRYPT';
    inferences.push('KeyUsage absent: ENCRYPT_DECRYPT inferred (the only usage of a SYMMETRIC_DEFAULT key).');
  }
  return {
    keyManager: m.KeyManager ?? null,
    keySpec,
    keyUsage,
    origin: m.Origin ?? null,
    keyState: m.KeyState ?? null,
    enabled: typeof m.Enabled === 'boolean' ? m.Enabled : null,
    multiRegionType,
    primaryKeyArn,
    customKeyStoreId: m.CustomKeyStoreId ?? null,
    creationDate: iso(m.CreationDate),
    deletionDate: iso(m.DeletionDate),
    description: bounded(m.Description ?? null, AWS_MAX.description),
    unknownMembers,
  };
}

/** An AWS value quoted in a reason: untrusted text, kept short and on one line. */
function safeValue(value: unknown): string {
  return JSON.stringify(value)?.replace(/\p{Cc}/gu, ' ').slice(0, 60) ?? 'undefined';
}

function iso(date: Date | undefined): string | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}
