import { AwsError } from '../protocols/aws-error.js';
import { epochSeconds } from '../protocols/json.js';
import type { ScenarioIndex } from '../state.js';
import type { SimKey } from '../types.js';
import type { CallContext } from './context.js';

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, alias: string): string {
  return `arn:aws:kms:${region}:${accountId}:${alias}`;
}

const ARN_RE = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

/**
 * Find the key a `KeyId` parameter names, in the caller's account and region: key id or key ARN
 * everywhere, alias name or alias ARN where the operation accepts them (DescribeKey, per the
 * KMS API reference). A key ARN in another account is refused: the simulator models no
 * cross-account key policies.
 */
export function resolveKey(ctx: CallContext, raw: unknown, acceptAlias: boolean): SimKey {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new AwsError('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  }
  // KeyIdType: length 1..2048 (model kms-2014-11-01); a longer value is a constraint violation, not an unknown key.
  if (raw.length > 2048) throw new AwsError('ValidationException', "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048");
  const accountId = ctx.account.id;
  const keys = ctx.runtime.index.regionKeys(accountId, ctx.region);
  let ref = raw;
  if (raw.startsWith('arn:')) {
    const m = ARN_RE.exec(raw);
    if (!m) throw new AwsError('InvalidArnException', `ARN ${raw} is not valid`);
    if (m[2] !== accountId) {
      throw new AwsError('AccessDeniedException', `User: ${ctx.identity.arn} is not authorized to perform: kms:${ctx.operation} on resource: ${raw} because no resource-based policy allows the kms:${ctx.operation} action`);
    }
    if (m[1] !== ctx.region) throw new AwsError('NotFoundException', `Invalid arn ${m[1]}`);
    ref = m[3]!.startsWith('key/') ? m[3]!.slice(4) : m[3]!;
  }
  if (ref.startsWith('alias/')) {
    if (!acceptAlias) throw new AwsError('NotFoundException', `Invalid keyId ${raw}`);
    const key = keys?.byAlias.get(ref);
    if (!key) throw new AwsError('NotFoundException', `Alias ${aliasArn(ctx.region, accountId, ref)} is not found.`);
    return key;
  }
  const key = keys?.byId.get(ref);
  if (!key) throw new AwsError('NotFoundException', `Key '${keyArn(ctx.region, accountId, ref)}' does not exist`);
  return key;
}

/** The primary of a multi-Region key (itself for a primary), when it exists in the scenario. */
export function primaryOf(index: ScenarioIndex, accountId: string, key: SimKey): SimKey | undefined {
  const mr = key.multiRegion;
  if (!mr || mr.type === 'PRIMARY') return key;
  return index.regionKeys(accountId, mr.primaryRegion)?.byId.get(mr.primaryKeyId);
}

/** Algorithms DescribeKey lists for a key spec and usage (KMS developer guide, "Key spec reference"). */
function algorithms(keySpec: string, keyUsage: string): Record<string, string[]> {
  switch (keyUsage) {
    case 'ENCRYPT_DECRYPT':
      if (keySpec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
      if (keySpec.startsWith('RSA_')) return { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] };
      if (keySpec === 'SM2') return { EncryptionAlgorithms: ['SM2PKE'] };
      return {};
    case 'SIGN_VERIFY':
      if (keySpec.startsWith('RSA_')) {
        return { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'] };
      }
      if (keySpec === 'ECC_NIST_P384') return { SigningAlgorithms: ['ECDSA_SHA_384'] };
      if (keySpec === 'ECC_NIST_P521') return { SigningAlgorithms: ['ECDSA_SHA_512'] };
      if (keySpec === 'ECC_NIST_P256' || keySpec === 'ECC_SECG_P256K1') return { SigningAlgorithms: ['ECDSA_SHA_256'] };
      if (keySpec === 'ECC_NIST_EDWARDS25519') return { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] };
      if (keySpec === 'SM2') return { SigningAlgorithms: ['SM2DSA'] };
      if (keySpec.startsWith('ML_DSA_')) return { SigningAlgorithms: ['ML_DSA_SHAKE_256'] };
      return {};
    case 'GENERATE_VERIFY_MAC':
      return keySpec.startsWith('HMAC_') ? { MacAlgorithms: [`HMAC_SHA_${keySpec.slice(5)}`] } : {};
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH'] };
    default:
      return {};
  }
}

function multiRegionConfiguration(index: ScenarioIndex, accountId: string, key: SimKey): Record<string, unknown> | undefined {
  const mr = key.multiRegion;
  if (!mr) return undefined;
  const primary = primaryOf(index, accountId, key);
  const replicaRegions = primary?.multiRegion?.replicaRegions ?? mr.replicaRegions ?? (mr.type === 'REPLICA' ? [key.region] : []);
  return {
    MultiRegionKeyType: mr.type,
    PrimaryKey: { Arn: keyArn(mr.primaryRegion, accountId, mr.primaryKeyId), Region: mr.primaryRegion },
    ReplicaKeys: replicaRegions.map((r) => ({ Arn: keyArn(r, accountId, key.keyId), Region: r })),
  };
}

/** The CustomerMasterKeySpec enum of the model (kms-2014-11-01). */
const CUSTOMER_MASTER_KEY_SPECS = new Set(['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2']);

/** A CloudHSM cluster id of the model's pattern `cluster-[2-7a-zA-Z]{11,16}`, derived from a store or key id (digits 0, 1, 8, 9 mapped to letters). */
function clusterIdFor(seed: string): string {
  const map: Record<string, string> = { '0': 'w', '1': 'x', '8': 'y', '9': 'z' };
  const chars = [...seed.replace(/[^0-9a-zA-Z]/g, '')].map((c) => map[c] ?? c).join('');
  return `cluster-${chars.slice(-11).padStart(11, 'a')}`;
}

/** The complete DescribeKey `KeyMetadata` (timestamps as epoch seconds, as awsJson sends them). */
export function keyMetadata(index: ScenarioIndex, accountId: string, key: SimKey): Record<string, unknown> {
  const external = key.origin === 'EXTERNAL';
  const metadata: Record<string, unknown> = {
    AWSAccountId: accountId,
    KeyId: key.keyId,
    Arn: keyArn(key.region, accountId, key.keyId),
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    DeletionDate: epochSeconds(key.deletionDate),
    ValidTo: external ? epochSeconds(key.validTo) : undefined,
    Origin: key.origin,
    CustomKeyStoreId: key.customKeyStoreId,
    CloudHsmClusterId: key.origin === 'AWS_CLOUDHSM' ? (key.cloudHsmClusterId ?? clusterIdFor(key.customKeyStoreId ?? key.keyId)) : undefined,
    ExpirationModel: external && key.keyState !== 'PendingImport' ? (key.expirationModel ?? 'KEY_MATERIAL_DOES_NOT_EXPIRE') : undefined,
    KeyManager: key.keyManager,
    // The deprecated CustomerMasterKeySpec enum stops at SM2: newer specs (ML_DSA_*, ECC_NIST_EDWARDS25519) come in KeySpec only.
    CustomerMasterKeySpec: CUSTOMER_MASTER_KEY_SPECS.has(key.keySpec) ? key.keySpec : undefined,
    KeySpec: key.keySpec,
    ...algorithms(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion !== undefined,
    MultiRegionConfiguration: multiRegionConfiguration(index, accountId, key),
    PendingDeletionWindowInDays: key.keyState === 'PendingReplicaDeletion' ? 30 : undefined,
    XksKeyConfiguration: key.origin === 'EXTERNAL_KEY_STORE' ? { Id: key.xksKeyId ?? `xks-${key.keyId.slice(0, 8)}` } : undefined,
  };
  return metadata;
}

/**
 * Why automatic rotation does not apply (UnsupportedOperationException), per the KMS developer guide (https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html): only
 * symmetric encryption keys with KMS-generated material outside custom key stores rotate.
 */
export function rotationUnsupported(key: SimKey, arn: string): AwsError | undefined {
  if (key.keyState === 'PendingImport') return new AwsError('UnsupportedOperationException', `${arn} key state is PendingImport which is not valid for this operation.`);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') {
    return new AwsError('UnsupportedOperationException', `${arn} key spec is ${key.keySpec} which is not valid for this operation.`);
  }
  if (key.origin !== 'AWS_KMS' || key.customKeyStoreId !== undefined) {
    return new AwsError('UnsupportedOperationException', `${arn} origin is ${key.origin} which is not valid for this operation.`);
  }
  return undefined;
}
