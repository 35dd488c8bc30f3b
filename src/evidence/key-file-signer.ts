/**
 * A local private key file (PEM, unencrypted PKCS#8 or SEC1/PKCS#1) as the signer, for
 * environments without KMS: Ed25519 (signs the bytes), ECDSA P-256 with SHA-256 (DER signature)
 * or RSA (RSASSA-PSS with SHA-256, salt 32, as KMS's RSASSA_PSS_SHA_256).
 * Any problem with the file is a UsageError naming it, raised before any AWS call.
 */
import { constants, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { publicKeyFingerprint, type ManifestSigner, type SigningAlgorithm } from './signature.js';

/** Largest key file read (an RSA 16384-bit PEM is about 13 kB). */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export async function openKeyFileSigner(path: string, flag = '--sign-key-file'): Promise<ManifestSigner> {
  let pem: string;
  try {
    // A PEM key is a few kB: a device (/dev/zero), a folder or a huge file is refused before reading.
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${flag} ${path}: cannot read the file (not a regular file); expected a PEM private key file`);
    if (info.size > MAX_KEY_FILE_BYTES) throw new UsageError(`${flag} ${path}: cannot read the file (${info.size} bytes); expected a PEM private key of at most ${MAX_KEY_FILE_BYTES} bytes`);
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${flag} ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (/-----BEGIN (ENCRYPTED PRIVATE KEY|[A-Z ]*PUBLIC KEY|CERTIFICATE)-----/.test(pem) || /Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new UsageError(`${flag} ${path}: expected an unencrypted PEM private key (Ed25519, EC P-256 or RSA), got ${/PUBLIC KEY|CERTIFICATE/.test(pem) ? 'a public key or certificate' : 'an encrypted key'}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new UsageError(`${flag} ${path}: not a PEM private key (expected -----BEGIN PRIVATE KEY----- with an Ed25519, EC P-256 or RSA key)`);
  }
  const algorithm = algorithmFor(key, `${flag} ${path}`);
  const publicKey = createPublicKey(key);
  return {
    info: { type: 'key-file', keyId: basename(path), algorithm, publicKeySha256: publicKeyFingerprint(publicKey) },
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    kmsMessageType: null,
    sign: (message) => Promise.resolve(signWithKey(algorithm, key, message)),
    close: () => undefined,
  };
}

function algorithmFor(key: KeyObject, where: string): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ED25519';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ECDSA_SHA_256';
    throw new UsageError(`${where}: EC key on curve ${curve ?? 'unknown'}; expected P-256 (prime256v1)`);
  }
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits >= 2048) return 'RSASSA_PSS_SHA_256';
    throw new UsageError(`${where}: RSA key of ${bits} bits; expected at least 2048`);
  }
  throw new UsageError(`${where}: ${type ?? 'unknown'} key; expected Ed25519, EC P-256 or RSA`);
}

function signWithKey(algorithm: SigningAlgorithm, key: KeyObject, message: Buffer): Buffer {
  switch (algorithm) {
    case 'ED25519':
      return sign(null, message, key);
    case 'ECDSA_SHA_256':
      return sign('sha256', message, key);
    case 'RSASSA_PSS_SHA_256':
      return sign('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  }
}
