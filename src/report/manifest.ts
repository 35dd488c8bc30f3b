/**
 * manifest.json: SHA-256 and size of every file the run wrote in its folder, the tool version and the scan
 * id, who ran the scan against which endpoints, digests of the mapping data, report wording and
 * exceptions register used, the tool's own bill of materials when it has one (`tool.sbom`:
 * src/report/tool-sbom.ts), and who signs it. Written in RFC 8785 canonical form (one line), so its
 * bytes are what manifest.sig.json signs (src/evidence/signature.ts).
 * Written last, via a temp name: a folder without it is an unfinished run. The signature is
 * written just before it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CANONICALIZATION, canonicalJson } from '../evidence/canonical.js';
import type { NamedFileDigest, TreeDigest } from '../evidence/inputs.js';
import { MANIFEST_FORMAT, MANIFEST_NAME, SIGNATURE_NAME } from '../core/run-files.js';
import { signatureDocument, type ManifestSigner, type SignerInfo } from '../evidence/signature.js';
import { fileDigest, writeFileAtomic } from '../io/files.js';
import type { ToolSbom } from './tool-sbom.js';

/** 2: canonical form, scan identity and endpoints, input digests, signer (1 had none of these). */
export const MANIFEST_FORMAT_VERSION = 2;

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface ManifestInfo {
  toolName: string;
  toolVersion: string;
  scanId: string;
  scanToolVersion: string;
  snapshotAt: string;
  complete: boolean;
  generatedAt: string;
  frameworks: string[];
  previousResults: { scanId: string; sha256: string } | null;
  /** The identity the scan ran as and where its data came from (the results header's; null when not recorded). */
  scan: {
    partition: string;
    organizationId: string | null;
    callerIdentity: { account: string; arn: string } | null;
    dataSource: { endpoints: string[]; nonAws: boolean } | null;
  };
  /** What the reports were made with besides results.json. */
  inputs: {
    frameworks: TreeDigest;
    controlsFile: NamedFileDigest | null;
    templates: TreeDigest;
    /** The exceptions register as the scan read it (recorded in the results header by the scan); null: none used or not recorded. */
    exceptionsRegister: NamedFileDigest | null;
  };
  /** The tool itself: its SBOM (the container image ships one). Left out of the manifest when there is none. */
  tool?: { sbom: ToolSbom };
  /** Every key re-judged from its facts before rendering (null: not re-judged, e.g. a fresh scan). */
  rejudge: { keys: number; disagreements: number; renderedAnyway: boolean } | null;
  canonicalization: string;
  /** Who signs this manifest (manifest.sig.json); null: unsigned. */
  signer: SignerInfo | null;
}

/**
 * Writes manifest.json listing exactly `names` (the files the run wrote, in any order; listed sorted):
 * a file in the folder that the run did not write is never hashed into it (src/io/run-folder.ts).
 */
export async function writeManifest(dir: string, info: Omit<ManifestInfo, 'canonicalization' | 'signer'>, signer: ManifestSigner | null, names: readonly string[]): Promise<string> {
  const files: ManifestFile[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (name === MANIFEST_NAME || name === SIGNATURE_NAME || name.includes('/')) throw new Error(`writeManifest: ${name} cannot be listed`);
    files.push({ name, ...(await fileDigest(join(dir, name))) });
  }
  const path = join(dir, MANIFEST_NAME);
  const manifest = { format: MANIFEST_FORMAT, formatVersion: MANIFEST_FORMAT_VERSION, ...info, canonicalization: CANONICALIZATION, signer: signer?.info ?? null, files };
  const bytes = Buffer.from(canonicalJson(manifest), 'utf8');
  const signaturePath = join(dir, SIGNATURE_NAME);
  if (signer) await writeFileAtomic(signaturePath, JSON.stringify(await signatureDocument(bytes, signer, CANONICALIZATION), null, 2) + '\n');
  else await rm(signaturePath, { force: true });
  await writeFileAtomic(path, bytes);
  return path;
}

export { MANIFEST_FORMAT, MANIFEST_NAME };
