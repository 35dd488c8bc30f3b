/**
 * Asymmetric signing keys in the simulator: CreateKey, GetPublicKey, Sign and Verify, with real
 * key material (node:crypto key pairs), answers shaped as the KMS API model has them
 * (kms-2014-11-01: CreateKeyResponse.KeyMetadata, GetPublicKeyResponse, SignResponse,
 * VerifyResponse; blobs base64 on the wire as awsJson1_1 sends them).
 *
 * Modelled: SYMMETRIC_DEFAULT encryption keys (CreateKey only), ECC_NIST_P256 signing keys
 * (ECDSA_SHA_256) and RSA_2048/3072/4096 signing keys (RSASSA_PSS_SHA_256, RSASSA_PKCS1_V1_5_SHA_256),
 * MessageType RAW and DIGEST. Other key specs and algorithms answer UnsupportedOperationException
 * saying the simulator does not model them. Key material of a signing key in a scenario file is
 * made on first use (a scenario holds no private keys); it lives as long as the simulator.
 *
 * node:crypto signs only whole messages, so a DIGEST is signed with @noble/curves (ECDSA over a
 * given hash) and, for RSA, with the RFC 8017 encodings applied to the digest by hand
 * (EMSA-PSS §9.1, EMSA-PKCS1-v1_5 §9.2) and the raw RSA operation.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, publicDecrypt, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { AwsError } from '../protocols/aws-error.js';
import type { SimKey } from '../types.js';
import type { CallContext } from './context.js';
import { keyArn, keyMetadata, resolveKey } from './kms-keys.js';

type Input = Record<string, unknown>;
type Handler = (ctx: CallContext, input: Input) => unknown;

interface KeyMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The P-256 private scalar, for signing a digest with @noble/curves. */
  ecSecret: Uint8Array | null;
}

const material = new WeakMap<SimKey, KeyMaterial>();

const RSA_SPECS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const SIGNING_ALGORITHMS: Record<string, string[]> = {
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  RSA_2048: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
  RSA_3072: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
  RSA_4096: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
};
// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

function notModelled(what: string): AwsError {
  return new AwsError('UnsupportedOperationException', `${what} is not modelled by the simulator`);
}

function materialOf(key: SimKey): KeyMaterial {
  let found = material.get(key);
  if (found) return found;
  if (key.keySpec === 'ECC_NIST_P256') {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const d = pair.privateKey.export({ format: 'jwk' }).d;
    found = { ...pair, ecSecret: Uint8Array.from(Buffer.from(d ?? '', 'base64url')) };
  } else if (RSA_SPECS[key.keySpec]) {
    found = { ...generateKeyPairSync('rsa', { modulusLength: RSA_SPECS[key.keySpec]! }), ecSecret: null };
  } else {
    throw notModelled(`Key material of key spec ${key.keySpec}`);
  }
  material.set(key, found);
  return found;
}

function blob(value: unknown, member: string): Buffer {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return Buffer.from(value, 'base64');
}

/** The key, usable for signing with this algorithm (KMS's checks, in its order). */
function signingKey(ctx: CallContext, input: Input): { key: SimKey; arn: string; algorithm: string } {
  const key = resolveKey(ctx, input.KeyId, true);
  const arn = keyArn(ctx.region, ctx.account.id, key.keyId);
  if (key.keyState === 'Disabled') throw new AwsError('DisabledException', `${arn} is disabled.`);
  if (key.keyState !== 'Enabled') throw new AwsError('KMSInvalidStateException', `${arn} is ${key.keyState}.`);
  if (key.keyUsage !== 'SIGN_VERIFY') throw new AwsError('InvalidKeyUsageException', `${arn} key usage is ${key.keyUsage} which is not valid for ${ctx.operation}.`);
  const algorithm = typeof input.SigningAlgorithm === 'string' ? input.SigningAlgorithm : '';
  if (algorithm === '') throw new AwsError('ValidationException', "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null");
  const offered = SIGNING_ALGORITHMS[key.keySpec];
  if (!offered) throw notModelled(`Signing with key spec ${key.keySpec}`);
  if (!offered.includes(algorithm)) throw new AwsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  return { key, arn, algorithm };
}

/** The SHA-256 digest to sign: the message hashed (RAW), or the message as given (DIGEST, 32 bytes). */
function digestOf(input: Input): Buffer {
  const message = blob(input.Message, 'message');
  if (message.length > 4096) throw new AwsError('ValidationException', "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
  const type = input.MessageType ?? 'RAW';
  if (type === 'RAW') return createHash('sha256').update(message).digest();
  if (type === 'DIGEST') {
    if (message.length !== 32) throw new AwsError('ValidationException', 'Digest is invalid length for algorithm: the message digest must be 32 bytes for a SHA_256 algorithm.');
    return message;
  }
  if (type === 'EXTERNAL_MU') throw notModelled('MessageType EXTERNAL_MU');
  throw new AwsError('ValidationException', `1 validation error detected: Value '${String(type)}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]`);
}

function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-256, MGF1-SHA-256 and a 32-byte salt (KMS's RSASSA_PSS_SHA_256). */
function pssEncode(digest: Buffer, modulusBits: number): Buffer {
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(32);
  const h = createHash('sha256').update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 32 - 32 - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, emLen - 33);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2), same parameters. */
function pssVerify(digest: Buffer, em: Buffer, modulusBits: number): boolean {
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (em.length < emLen) return false;
  em = em.subarray(em.length - emLen);
  if (em[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, emLen - 33));
  const h = em.subarray(emLen - 33, emLen - 1);
  if ((db[0]! & ~(0xff >> (8 * emLen - emBits)) & 0xff) !== 0) return false;
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const psLen = emLen - 32 - 32 - 2;
  if (!db.subarray(0, psLen).every((b) => b === 0) || db[psLen] !== 1) return false;
  const salt = db.subarray(psLen + 1);
  const expected = createHash('sha256').update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(expected, h);
}

function rawRsaSign(privateKey: KeyObject, encoded: Buffer, modulusBits: number): Buffer {
  const k = Math.ceil(modulusBits / 8);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - encoded.length), encoded]));
}

function signDigest(key: SimKey, algorithm: string, digest: Buffer): Buffer {
  const m = materialOf(key);
  switch (algorithm) {
    case 'ECDSA_SHA_256':
      return Buffer.from(p256.sign(digest, m.ecSecret!, { prehash: false, format: 'der', lowS: false }));
    case 'RSASSA_PSS_SHA_256':
      return rawRsaSign(m.privateKey, pssEncode(digest, RSA_SPECS[key.keySpec]!), RSA_SPECS[key.keySpec]!);
    case 'RSASSA_PKCS1_V1_5_SHA_256':
      return privateEncrypt({ key: m.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
    default:
      throw notModelled(`Signing algorithm ${algorithm}`);
  }
}

function verifyDigest(key: SimKey, algorithm: string, digest: Buffer, signature: Buffer): boolean {
  const m = materialOf(key);
  try {
    switch (algorithm) {
      case 'ECDSA_SHA_256':
        return p256.verify(signature, digest, p256.getPublicKey(m.ecSecret!), { prehash: false, format: 'der', lowS: false });
      case 'RSASSA_PSS_SHA_256':
        return pssVerify(digest, publicDecrypt({ key: m.publicKey, padding: constants.RSA_NO_PADDING }, signature), RSA_SPECS[key.keySpec]!);
      case 'RSASSA_PKCS1_V1_5_SHA_256': {
        const decoded = publicDecrypt({ key: m.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
        const expected = Buffer.concat([SHA256_DIGEST_INFO, digest]);
        return decoded.length === expected.length && timingSafeEqual(decoded, expected);
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}

const createKey: Handler = (ctx, input) => {
  if (ctx.identity.role && !ctx.identity.role.allowWrite) {
    throw new AwsError('AccessDeniedException', `User: ${ctx.identity.arn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`);
  }
  const keySpec = typeof input.KeySpec === 'string' ? input.KeySpec : typeof input.CustomerMasterKeySpec === 'string' ? input.CustomerMasterKeySpec : 'SYMMETRIC_DEFAULT';
  const keyUsage = typeof input.KeyUsage === 'string' ? input.KeyUsage : 'ENCRYPT_DECRYPT';
  const modelled = (keySpec === 'SYMMETRIC_DEFAULT' && keyUsage === 'ENCRYPT_DECRYPT') || (SIGNING_ALGORITHMS[keySpec] !== undefined && keyUsage === 'SIGN_VERIFY');
  if (!modelled) throw notModelled(`CreateKey with KeySpec ${keySpec} and KeyUsage ${keyUsage}`);
  if ((input.Origin ?? 'AWS_KMS') !== 'AWS_KMS' || input.CustomKeyStoreId !== undefined || input.MultiRegion === true) throw notModelled('CreateKey with another origin, a custom key store or MultiRegion');
  const tags = Array.isArray(input.Tags) ? Object.fromEntries((input.Tags as { TagKey?: unknown; TagValue?: unknown }[]).map((t) => [String(t.TagKey), String(t.TagValue ?? '')])) : {};
  const key: SimKey = {
    keyId: randomUUID(),
    region: ctx.region,
    keyManager: 'CUSTOMER',
    keySpec,
    keyUsage,
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    description: typeof input.Description === 'string' ? input.Description : '',
    creationDate: new Date(ctx.now).toISOString(),
    rotation: { enabled: false },
    rotations: [],
    aliases: [],
    tags,
  };
  if (keyUsage === 'SIGN_VERIFY') materialOf(key);
  ctx.account.keys.push(key);
  ctx.runtime.index.rebuild();
  return { KeyMetadata: keyMetadata(ctx.runtime.index, ctx.account.id, key) };
};

const getPublicKey: Handler = (ctx, input) => {
  const key = resolveKey(ctx, input.KeyId, true);
  const arn = keyArn(ctx.region, ctx.account.id, key.keyId);
  if (key.keySpec === 'SYMMETRIC_DEFAULT' || key.keySpec.startsWith('HMAC_')) throw new AwsError('UnsupportedOperationException', `${arn} key spec ${key.keySpec} is not valid for this operation.`);
  if (key.keyState === 'Disabled') throw new AwsError('DisabledException', `${arn} is disabled.`);
  if (key.keyState !== 'Enabled') throw new AwsError('KMSInvalidStateException', `${arn} is ${key.keyState}.`);
  const metadata = keyMetadata(ctx.runtime.index, ctx.account.id, key);
  return {
    KeyId: arn,
    PublicKey: materialOf(key).publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    EncryptionAlgorithms: metadata.EncryptionAlgorithms,
    SigningAlgorithms: metadata.SigningAlgorithms,
    KeyAgreementAlgorithms: metadata.KeyAgreementAlgorithms,
  };
};

const signHandler: Handler = (ctx, input) => {
  const { key, arn, algorithm } = signingKey(ctx, input);
  const digest = digestOf(input);
  return { KeyId: arn, Signature: signDigest(key, algorithm, digest).toString('base64'), SigningAlgorithm: algorithm };
};

const verifyHandler: Handler = (ctx, input) => {
  const { key, arn, algorithm } = signingKey(ctx, input);
  const digest = digestOf(input);
  const signature = blob(input.Signature, 'signature');
  // KMS answers a signature that does not verify with an error, not SignatureValid: false (KMS API reference, Verify).
  if (!verifyDigest(key, algorithm, digest, signature)) throw new AwsError('KMSInvalidSignatureException', 'The signature verification failed.');
  return { KeyId: arn, SignatureValid: true, SigningAlgorithm: algorithm };
};

export const KMS_SIGNING_OPERATIONS: Record<string, Handler> = {
  CreateKey: createKey,
  GetPublicKey: getPublicKey,
  Sign: signHandler,
  Verify: verifyHandler,
};
