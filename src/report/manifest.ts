/**
 * manifest.json: SHA-256 and size of every file in the report folder, the tool version and the scan id.
 * Written last, via a temp name: a folder without it is an unfinished run.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileDigest, writeFileAtomic } from './files.js';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'kms-rotation-audit/manifest';

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
}

/** Every regular file of `dir` except the manifest itself and temp files, by name. */
export async function folderFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name !== MANIFEST_NAME && !e.name.includes('.tmp-'))
    .map((e) => e.name)
    .sort();
}

export async function writeManifest(dir: string, info: ManifestInfo): Promise<string> {
  const files: ManifestFile[] = [];
  for (const name of await folderFiles(dir)) files.push({ name, ...(await fileDigest(join(dir, name))) });
  const path = join(dir, MANIFEST_NAME);
  const manifest = { format: MANIFEST_FORMAT, formatVersion: 1, ...info, files };
  await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}
