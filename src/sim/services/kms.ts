import { AwsError } from '../protocols/aws-error.js';
import { epochSeconds } from '../protocols/json.js';
import type { SimKey } from '../types.js';
import type { CallContext } from './context.js';
import { aliasArn, keyArn, keyMetadata, primaryOf, resolveKey, rotationUnsupported } from './kms-keys.js';
import { decodeToken, encodeToken, intParam, stringParam } from './paging.js';
import { KMS_SIGNING_OPERATIONS } from './kms-signing.js';

type Input = Record<string, unknown>;
type Handler = (ctx: CallContext, input: Input) => unknown;

const validation = (message: string): AwsError => new AwsError('ValidationException', message);
const invalidMarker = (): AwsError => new AwsError('InvalidMarkerException', 'Marker is invalid');

// Predefined aliases AWS lists even before the service creates its AWS managed key: they have no
// TargetKeyId (KMS API reference, ListAliases).
const AWS_SERVICE_ALIASES = [
  'alias/aws/acm', 'alias/aws/dynamodb', 'alias/aws/ebs', 'alias/aws/elasticfilesystem', 'alias/aws/es', 'alias/aws/glue',
  'alias/aws/kinesis', 'alias/aws/lambda', 'alias/aws/rds', 'alias/aws/redshift', 'alias/aws/s3', 'alias/aws/secretsmanager',
  'alias/aws/ssm', 'alias/aws/xray',
];

/**
 * The Marker parameter, checked against the model's MarkerType (length 1..1024, pattern
 * [\u0020-\u00FF]*): a violation is a ValidationException, as for every modelled constraint; only a
 * well-formed marker the service did not issue is InvalidMarkerException.
 */
function markerParam(value: unknown): string | undefined {
  const marker = stringParam(value);
  if (marker === undefined) return undefined;
  if (marker.length < 1 || marker.length > 1024) throw validation(`1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length ${marker.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 1024'}`);
  if (!/^[\u0020-\u00FF]*$/.test(marker)) throw validation("1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0020-\u00FF]*");
  return marker;
}

/** Offset-based markers for lists that do not change under the caller (aliases, tags, rotations). */
function page<T>(items: readonly T[], input: Input, max: number, fallback: number): { items: T[]; next?: string } {
  const limit = intParam(input.Limit, 'limit', 1, max, fallback, validation);
  const marker = markerParam(input.Marker);
  const start = marker === undefined ? 0 : decodeToken<{ o?: unknown }>(marker, invalidMarker).o;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0 || start > items.length) throw invalidMarker();
  const end = Math.min(items.length, start + limit);
  return end < items.length ? { items: items.slice(start, end), next: encodeToken({ o: end }) } : { items: items.slice(start, end) };
}

function pageOutput(next: string | undefined): { NextMarker?: string; Truncated: boolean } {
  return next === undefined ? { Truncated: false } : { NextMarker: next, Truncated: true };
}

const listKeys: Handler = (ctx, input) => {
  const limit = intParam(input.Limit, 'limit', 1, 1000, 100, validation);
  const marker = markerParam(input.Marker);
  const sorted = ctx.runtime.index.regionKeys(ctx.account.id, ctx.region)?.sorted ?? [];
  let start = 0;
  if (marker !== undefined) {
    // The marker is the last key id returned: find the first key after it (binary search), so a
    // key deleted between pages never shifts the listing.
    const after = decodeToken<{ k?: unknown }>(marker, invalidMarker).k;
    if (typeof after !== 'string') throw invalidMarker();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.keyId <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const listed = sorted.slice(start, start + limit);
  const truncated = start + limit < sorted.length;
  const output = {
    Keys: listed.map((k) => ({ KeyId: k.keyId, KeyArn: keyArn(ctx.region, ctx.account.id, k.keyId) })),
    ...pageOutput(truncated ? encodeToken({ k: listed[listed.length - 1]!.keyId }) : undefined),
  };
  ctx.keysListed(listed);
  return output;
};

const listAliases: Handler = (ctx, input) => {
  const rk = ctx.runtime.index.regionKeys(ctx.account.id, ctx.region);
  const entries: { name: string; key?: SimKey }[] = [];
  if (input.KeyId !== undefined) {
    const key = resolveKey(ctx, input.KeyId, false);
    for (const name of key.aliases) entries.push({ name, key });
  } else {
    for (const [name, key] of rk?.byAlias ?? []) entries.push({ name, key });
    for (const name of AWS_SERVICE_ALIASES) if (!rk?.byAlias.has(name)) entries.push({ name });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { items, next } = page(entries, input, 100, 50);
  return {
    Aliases: items.map(({ name, key }) => ({
      AliasName: name,
      AliasArn: aliasArn(ctx.region, ctx.account.id, name),
      TargetKeyId: key?.keyId,
      CreationDate: key ? epochSeconds(key.creationDate) : undefined,
      LastUpdatedDate: key ? epochSeconds(key.creationDate) : undefined,
    })),
    ...pageOutput(next),
  };
};

const describeKey: Handler = (ctx, input) => {
  const key = resolveKey(ctx, input.KeyId, true);
  return { KeyMetadata: keyMetadata(ctx.runtime.index, ctx.account.id, key) };
};

const NOT_READY_STATES = new Set(['Creating', 'Updating', 'Unavailable']);

/** The rotation settings that apply: a replica shares its primary's (KMS developer guide, https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-manage.html). */
function effectiveRotation(ctx: CallContext, key: SimKey): SimKey['rotation'] {
  if (key.keyManager === 'AWS') return { ...key.rotation, enabled: true, periodDays: 365 };
  return (primaryOf(ctx.runtime.index, ctx.account.id, key) ?? key).rotation;
}

const getKeyRotationStatus: Handler = (ctx, input) => {
  const key = resolveKey(ctx, input.KeyId, false);
  const arn = keyArn(ctx.region, ctx.account.id, key.keyId);
  const unsupported = rotationUnsupported(key, arn);
  if (unsupported) throw unsupported;
  if (NOT_READY_STATES.has(key.keyState)) throw new AwsError('KMSInvalidStateException', `${arn} is ${key.keyState} and cannot be used.`);
  // While a key is pending deletion, KeyRotationEnabled reads false (KMS developer guide, "How automatic
  // key rotation works", https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html).
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') return { KeyId: key.keyId, KeyRotationEnabled: false };
  const rotation = effectiveRotation(ctx, key);
  if (!rotation.enabled) return { KeyId: key.keyId, KeyRotationEnabled: false, OnDemandRotationStartDate: epochSeconds(rotation.onDemandRotationStartDate) };
  return {
    KeyId: key.keyId,
    KeyRotationEnabled: true,
    RotationPeriodInDays: rotation.periodDays,
    NextRotationDate: epochSeconds(rotation.nextRotationDate),
    OnDemandRotationStartDate: epochSeconds(rotation.onDemandRotationStartDate),
  };
};

const listKeyRotations: Handler = (ctx, input) => {
  const key = resolveKey(ctx, input.KeyId, false);
  const arn = keyArn(ctx.region, ctx.account.id, key.keyId);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.customKeyStoreId !== undefined || (key.origin !== 'AWS_KMS' && key.origin !== 'EXTERNAL')) {
    throw new AwsError('UnsupportedOperationException', `${arn} key spec or origin is not valid for this operation.`);
  }
  const source = primaryOf(ctx.runtime.index, ctx.account.id, key) ?? key;
  const { items, next } = page(source.rotations, input, 1000, 100);
  return {
    Rotations: items.map((r) => ({ KeyId: key.keyId, RotationDate: epochSeconds(r.date), RotationType: r.type })),
    ...pageOutput(next),
  };
};

const listResourceTags: Handler = (ctx, input) => {
  const key = resolveKey(ctx, input.KeyId, false);
  const tags = key.keyManager === 'AWS' ? [] : Object.entries(key.tags);
  const { items, next } = page(tags, input, 50, 50);
  return { Tags: items.map(([TagKey, TagValue]) => ({ TagKey, TagValue })), ...pageOutput(next) };
};

/** Writes need the account's long-term credentials or a role with allowWrite. */
function writableKey(ctx: CallContext, input: Input): SimKey {
  const key = resolveKey(ctx, input.KeyId, false);
  const arn = keyArn(ctx.region, ctx.account.id, key.keyId);
  if (ctx.identity.role && !ctx.identity.role.allowWrite) {
    throw new AwsError('AccessDeniedException', `User: ${ctx.identity.arn} is not authorized to perform: kms:${ctx.operation} on resource: ${arn} because no identity-based policy allows the kms:${ctx.operation} action`);
  }
  if (key.keyManager === 'AWS') throw new AwsError('UnsupportedOperationException', `${arn} is an AWS managed key; its rotation cannot be changed.`);
  const unsupported = rotationUnsupported(key, arn);
  if (unsupported) throw unsupported;
  // Rotation of a multi-Region key is set on the primary only (KMS developer guide, "Rotating multi-Region keys").
  if (key.multiRegion?.type === 'REPLICA') throw new AwsError('UnsupportedOperationException', `${arn} is a multi-Region replica key; manage rotation on its primary key.`);
  // A disabled key is DisabledException, declared by both operations (model kms-2014-11-01); other states are KMSInvalidStateException.
  if (key.keyState === 'Disabled') throw new AwsError('DisabledException', `${arn} is disabled.`);
  if (key.keyState !== 'Enabled') throw new AwsError('KMSInvalidStateException', `${arn} is ${key.keyState}.`);
  return key;
}

const enableKeyRotation: Handler = (ctx, input) => {
  const key = writableKey(ctx, input);
  const period = intParam(input.RotationPeriodInDays, 'rotationPeriodInDays', 90, 2560, 365, validation);
  key.rotation.enabled = true;
  key.rotation.periodDays = period;
  key.rotation.nextRotationDate = new Date(ctx.now + period * 86_400_000).toISOString();
  return undefined;
};

const disableKeyRotation: Handler = (ctx, input) => {
  const key = writableKey(ctx, input);
  key.rotation.enabled = false;
  delete key.rotation.nextRotationDate;
  return undefined;
};

export const KMS_OPERATIONS: Record<string, Handler> = {
  ListKeys: listKeys,
  ListAliases: listAliases,
  DescribeKey: describeKey,
  GetKeyRotationStatus: getKeyRotationStatus,
  ListKeyRotations: listKeyRotations,
  ListResourceTags: listResourceTags,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  // Asymmetric keys for signing run folders (src/evidence): CreateKey, GetPublicKey, Sign, Verify.
  ...KMS_SIGNING_OPERATIONS,
};
