/**
 * The detached signature of a run folder: manifest.sig.json beside manifest.json.
 *
 * What is signed: the exact bytes of manifest.json, which is written in RFC 8785 canonical form
 * (src/evidence/canonical.ts), so the bytes are also the canonical form of its content and any
 * tool can check the signature over the file as it is (README, "Verifying a run folder").
 * The manifest itself names the signer (type, key, algorithm, SHA-256 of the public key), so
 * the signer's identity is covered by the signature; manifest.sig.json carries the signature and
 * the public key.
 */
import { createHash, createPublicKey, constants, verify, type KeyObject } from 'node:crypto';

import { SIGNATURE_NAME } from '../core/run-files.js';

export { SIGNATURE_NAME };
export const SIGNATURE_FORMAT = 'kms-rotation-audit/manifest-signature';

/** Algorithms a signer may use, with the names AWS KMS gives them (SigningAlgorithmSpec, kms-2014-11-01). */
export type SigningAlgorithm = 'ECDSA_SHA_256' | 'RSASSA_PSS_SHA_256' | 'ED25519';

/** Who signed: recorded inside manifest.json (so it is signed too). */
export interface SignerInfo {
  /** `aws-kms`: kms:Sign with an asymmetric KMS key; `key-file`: a local PEM private key. */
  type: 'aws-kms' | 'key-file';
  /** The KMS key ARN (as GetPublicKey answered it), or the key file's name. */
  keyId: string;
  algorithm: SigningAlgorithm;
  /** SHA-256 (hex) of the public key in DER SubjectPublicKeyInfo form: compare with the key you trust. */
  publicKeySha256: string;
}

export interface SignatureDocument {
  format: typeof SIGNATURE_FORMAT;
  formatVersion: 1;
  /** The signed file (its exact bytes). */
  signed: 'manifest.json';
  signedSha256: string;
  canonicalization: string;
  signer: SignerInfo;
  /** For kms:Sign: the message sent was the SHA-256 digest of manifest.json, MessageType DIGEST. */
  kmsMessageType: 'DIGEST' | null;
  publicKeyPem: string;
  /** Base64 of the signature (DER for ECDSA, as KMS returns it). */
  signature: string;
  /** RFC 3161 timestamp token: not implemented (always null). */
  timestampToken: null;
}

export interface ManifestSigner {
  info: SignerInfo;
  publicKeyPem: string;
  kmsMessageType: 'DIGEST' | null;
  sign(message: Buffer): Promise<Buffer>;
  close(): void;
}

export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('hex');
}

/** Checks a signature over `message` with a public key, for the algorithm named (never throws for a bad signature). */
export function verifyWith(algorithm: SigningAlgorithm, message: Buffer, publicKeyPem: string, signature: Buffer): boolean {
  const key = createPublicKey(publicKeyPem);
  try {
    switch (algorithm) {
      case 'ECDSA_SHA_256':
        return verify('sha256', message, key, signature);
      case 'RSASSA_PSS_SHA_256':
        // KMS RSASSA_PSS_SHA_256: MGF1 with SHA-256, salt length 32 (the digest length).
        return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      case 'ED25519':
        return verify(null, message, key, signature);
    }
  } catch {
    return false;
  }
}

export async function signatureDocument(manifestBytes: Buffer, signer: ManifestSigner, canonicalization: string): Promise<SignatureDocument> {
  const signature = await signer.sign(manifestBytes);
  // Check our own signature before writing it: a wrong key or algorithm fails here, not at the auditor's.
  if (!verifyWith(signer.info.algorithm, manifestBytes, signer.publicKeyPem, signature)) {
    throw new Error(`the signature made with ${signer.info.keyId} (${signer.info.algorithm}) does not verify with its own public key`);
  }
  return {
    format: SIGNATURE_FORMAT,
    formatVersion: 1,
    signed: 'manifest.json',
    signedSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    canonicalization,
    signer: signer.info,
    kmsMessageType: signer.kmsMessageType,
    publicKeyPem: signer.publicKeyPem,
    signature: signature.toString('base64'),
    timestampToken: null,
  };
}
