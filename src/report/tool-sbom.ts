/**
 * The tool's own bill of materials: `sbom.cdx.json` beside package.json. The container image ships
 * one (the Dockerfile's build stage runs `npm sbom --sbom-format cyclonedx --omit dev`: CycloneDX,
 * production dependencies); a checkout or an npm install has none. manifest.json names it, with its
 * size and SHA-256, under `tool.sbom`, so a run folder says exactly which dependencies made it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../io/paths.js';
import { fileDigest, type FileDigest } from '../io/files.js';

export const TOOL_SBOM_NAME = 'sbom.cdx.json';

export interface ToolSbom extends FileDigest {
  name: string;
  /** `bomFormat specVersion` from the file (e.g. "CycloneDX 1.5"); null when the file does not say. */
  format: string | null;
}

/** The SBOM beside package.json in `root` (default: this package's root); null when there is none. */
export async function toolSbom(root: string = packageRoot): Promise<ToolSbom | null> {
  const path = join(root, TOOL_SBOM_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let format: string | null = null;
  try {
    const document = JSON.parse(text) as { bomFormat?: unknown; specVersion?: unknown };
    if (typeof document.bomFormat === 'string' && typeof document.specVersion === 'string') format = `${document.bomFormat} ${document.specVersion}`;
  } catch {
    // Not JSON: still recorded by digest, the bytes are what the image shipped.
  }
  return { name: TOOL_SBOM_NAME, ...(await fileDigest(path)), format };
}
