/** Which signer a run uses (--sign-kms-key-id or --sign-key-file), opened once per run. */
import { UsageError } from '../errors.js';
import { openKeyFileSigner } from './key-file-signer.js';
import { openKmsSigner, type KmsSignerOptions } from './kms-signer.js';
import type { ManifestSigner } from './signature.js';

export interface SignSettings {
  signKmsKeyId: string | null;
  signKeyFile: string | null;
}

export interface SignContext {
  region: string;
  credentials?: KmsSignerOptions['credentials'];
  endpoint?: string;
}

/** null when no signer is configured. The key file is read and checked here; a KMS key is asked for its public key. */
export async function openSigner(settings: SignSettings, ctx: SignContext): Promise<ManifestSigner | null> {
  if (settings.signKmsKeyId && settings.signKeyFile) {
    throw new UsageError(`--sign-kms-key-id and --sign-key-file: give one signer, not both`);
  }
  if (settings.signKeyFile) return openKeyFileSigner(settings.signKeyFile);
  if (settings.signKmsKeyId) return openKmsSigner({ keyId: settings.signKmsKeyId, ...ctx });
  return null;
}
