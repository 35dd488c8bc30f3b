/** Which signer a run uses (--sign-kms-key-id or --sign-key-file), opened once per run. */
import { UsageError } from '../core/errors.js';
import { openKeyFileSigner } from './key-file-signer.js';
import { openKmsSigner, type KmsSignerOptions } from './kms-signer.js';
import type { ManifestSigner } from './signature.js';

export interface SignSettings {
  signKmsKeyId: string | null;
  signKeyFile: string | null;
}

/** Where the two settings came from, for messages (src/core/sources.ts); default the flags. */
export interface SignSources {
  signKmsKeyId?: string;
  signKeyFile?: string;
}

export interface SignContext {
  region: string;
  credentials?: KmsSignerOptions['credentials'];
  endpoint?: string;
}

/** null when no signer is configured. The key file is read and checked here; a KMS key is asked for its public key. */
export async function openSigner(settings: SignSettings, ctx: SignContext, sources: SignSources = {}): Promise<ManifestSigner | null> {
  const kmsFrom = sources.signKmsKeyId ?? '--sign-kms-key-id';
  const fileFrom = sources.signKeyFile ?? '--sign-key-file';
  if (settings.signKmsKeyId && settings.signKeyFile) {
    throw new UsageError(`${kmsFrom} and ${fileFrom}: give one signer, not both`);
  }
  if (settings.signKeyFile) return openKeyFileSigner(settings.signKeyFile, fileFrom);
  if (settings.signKmsKeyId) return openKmsSigner({ keyId: settings.signKmsKeyId, flag: kmsFrom, ...ctx });
  return null;
}
