/**
 * An asymmetric AWS KMS key as the signer: kms:GetPublicKey once (the public key and the key ARN
 * are recorded), then kms:Sign over the SHA-256 digest of manifest.json with MessageType DIGEST
 * (KMS API reference, Sign: messages over 4096 bytes are signed as a digest).
 * ECC_NIST_P256 keys sign with ECDSA_SHA_256, RSA keys with RSASSA_PSS_SHA_256.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand, VerifyCommand, type KMSClientConfig } from '@aws-sdk/client-kms';
import { UsageError } from '../core/errors.js';
import { publicKeyFingerprint, type ManifestSigner, type SigningAlgorithm } from './signature.js';

export interface KmsSignerOptions {
  keyId: string;
  /** Region of the key when keyId is not an ARN (an ARN names its own region). */
  region: string;
  credentials?: KMSClientConfig['credentials'];
  endpoint?: string;
  flag?: string;
}

/** The signing algorithms this tool asks KMS for. */
export type KmsSigningAlgorithm = Exclude<SigningAlgorithm, 'ED25519'>;

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/;

/** The region a key id names (its ARN's), else the fallback. */
export function kmsKeyRegion(keyId: string, fallback: string): string {
  return KMS_ARN.exec(keyId)?.[1] ?? fallback;
}

export function kmsClientFor(opts: Pick<KmsSignerOptions, 'keyId' | 'region' | 'credentials' | 'endpoint'>): KMSClient {
  return new KMSClient({ region: kmsKeyRegion(opts.keyId, opts.region), ...(opts.credentials ? { credentials: opts.credentials } : {}), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
}

export async function openKmsSigner(opts: KmsSignerOptions): Promise<ManifestSigner> {
  const flag = opts.flag ?? '--sign-kms-key-id';
  const client = kmsClientFor(opts);
  try {
    const answer = await client.send(new GetPublicKeyCommand({ KeyId: opts.keyId }));
    if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.PublicKey || !answer.KeyId) {
      throw new UsageError(`${flag} ${opts.keyId}: expected an asymmetric KMS key with KeyUsage SIGN_VERIFY, got ${answer.KeyUsage ?? 'no key usage'} (${answer.KeySpec ?? 'no key spec'})`);
    }
    const algorithm = chooseAlgorithm(answer.SigningAlgorithms ?? []);
    if (!algorithm) {
      throw new UsageError(`${flag} ${opts.keyId}: key spec ${answer.KeySpec ?? 'unknown'} offers ${(answer.SigningAlgorithms ?? []).join(', ') || 'no signing algorithm'}; expected ECDSA_SHA_256 (ECC_NIST_P256) or RSASSA_PSS_SHA_256 (RSA_*)`);
    }
    const publicKey = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
    const keyArn = answer.KeyId;
    return {
      info: { type: 'aws-kms', keyId: keyArn, algorithm, publicKeySha256: publicKeyFingerprint(publicKey) },
      publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      kmsMessageType: 'DIGEST',
      sign: async (message) => {
        const signed = await client.send(new SignCommand({ KeyId: keyArn, Message: sha256(message), MessageType: 'DIGEST', SigningAlgorithm: algorithm }));
        if (!signed.Signature) throw new Error(`kms:Sign with ${keyArn} answered without a Signature`);
        return Buffer.from(signed.Signature);
      },
      close: () => client.destroy(),
    };
  } catch (err) {
    client.destroy();
    if (err instanceof UsageError) throw err;
    const name = (err as { name?: string }).name ?? 'Error';
    // An unknown or inaccessible key is the user's to fix: name the flag, the key and AWS's error code.
    if (['NotFoundException', 'AccessDeniedException', 'InvalidArnException', 'DisabledException', 'KMSInvalidStateException', 'UnsupportedOperationException'].includes(name)) {
      throw new UsageError(`${flag} ${opts.keyId}: kms:GetPublicKey failed with ${name}`);
    }
    throw err;
  }
}

/** kms:Verify of a recorded signature (verify --online): the key's owner confirms it, not only the recorded public key. */
export async function kmsVerify(opts: Pick<KmsSignerOptions, 'keyId' | 'region' | 'credentials' | 'endpoint'>, message: Buffer, signature: Buffer, algorithm: KmsSigningAlgorithm): Promise<boolean> {
  const client = kmsClientFor(opts);
  try {
    const answer = await client.send(new VerifyCommand({ KeyId: opts.keyId, Message: sha256(message), MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: algorithm }));
    return answer.SignatureValid === true;
  } catch (err) {
    // KMS answers an invalid signature with KMSInvalidSignatureException (KMS API reference, Verify).
    if ((err as { name?: string }).name === 'KMSInvalidSignatureException') return false;
    throw err;
  } finally {
    client.destroy();
  }
}

function chooseAlgorithm(offered: string[]): KmsSigningAlgorithm | null {
  if (offered.includes('ECDSA_SHA_256')) return 'ECDSA_SHA_256';
  if (offered.includes('RSASSA_PSS_SHA_256')) return 'RSASSA_PSS_SHA_256';
  return null;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
