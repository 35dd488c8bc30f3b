/**
 * What the scan records about its own inputs for the evidence bundle: the exceptions register's
 * name and SHA-256 as read at scan time (the file may be gone or changed when the reports are
 * re-rendered). Stored in the results header under `header.extensions.evidence`.
 */
import { z } from 'zod';
import { parseWith } from '../frameworks/read.js';
import type { KeyStage } from '../engine/types.js';
import type { NamedFileDigest } from './inputs.js';

export const EVIDENCE_EXTENSION = 'evidence';

export interface ScanEvidence {
  exceptionsRegister: NamedFileDigest | null;
}

/**
 * A stage that changes no key and adds the evidence section to the header. The register's digest is
 * the one taken of the bytes the loader parsed (src/exceptions/load.ts), not of a second read.
 */
export function scanEvidenceStage(exceptionsRegister: NamedFileDigest | null): KeyStage {
  const evidence: ScanEvidence = { exceptionsRegister };
  return { name: EVIDENCE_EXTENSION, apply: (key) => key, extension: () => evidence };
}

const DigestSchema = z.object({ name: z.string(), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const EvidenceSchema = z.object({ exceptionsRegister: DigestSchema.nullable() }).loose();

export function readScanEvidence(extensions: Record<string, unknown>, file: string): ScanEvidence | null {
  const value = extensions[EVIDENCE_EXTENSION];
  if (value === undefined || value === null) return null;
  return parseWith(EvidenceSchema, value, file, `header.extensions.${EVIDENCE_EXTENSION}`) as ScanEvidence;
}
