import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/paths.js';
import { writeManifest } from '../../src/report/manifest.js';
import { TOOL_SBOM_NAME, toolSbom } from '../../src/report/tool-sbom.js';
import { renderFixture, tempDir } from './helpers.js';

/** What `npm sbom --sbom-format cyclonedx` writes, cut down to the fields read here. */
const CYCLONEDX = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'zod', version: '4.6.7' }] });

describe('the tool SBOM (sbom.cdx.json beside package.json, shipped by the container image)', () => {
  it('is named by size, SHA-256 and format when present', async () => {
    const root = await tempDir('kra-sbom-');
    await writeFile(join(root, TOOL_SBOM_NAME), CYCLONEDX);
    expect(await toolSbom(root)).toEqual({
      name: 'sbom.cdx.json',
      bytes: Buffer.byteLength(CYCLONEDX),
      sha256: createHash('sha256').update(CYCLONEDX).digest('hex'),
      format: 'CycloneDX 1.5',
    });
  });

  it('is still named by digest when it is not CycloneDX JSON (format null), and absent is null', async () => {
    const root = await tempDir('kra-sbom-');
    expect(await toolSbom(root)).toBeNull();
    await writeFile(join(root, TOOL_SBOM_NAME), 'not json');
    expect(await toolSbom(root)).toMatchObject({ name: 'sbom.cdx.json', bytes: 8, format: null });
  });

  it('manifest.json carries it as tool.sbom when given', async () => {
    const dir = await tempDir('kra-sbom-run-');
    await writeFile(join(dir, 'results.json'), '{}');
    const sbomRoot = await tempDir('kra-sbom-');
    await writeFile(join(sbomRoot, TOOL_SBOM_NAME), CYCLONEDX);
    const sbom = (await toolSbom(sbomRoot))!;
    const info = {
      toolName: 'kms-rotation-audit',
      toolVersion: '0.1.0',
      scanId: 'scan-x',
      scanToolVersion: '0.1.0',
      snapshotAt: '2026-11-28T03:00:00.000Z',
      complete: true,
      generatedAt: '2026-11-28T03:00:00.000Z',
      frameworks: [],
      previousResults: null,
      scan: { partition: 'aws', organizationId: null, callerIdentity: null, dataSource: null },
      inputs: { frameworks: { name: 'frameworks/', files: 0, sha256: '0'.repeat(64) }, controlsFile: null, templates: { name: 'templates/report/', files: 0, sha256: '0'.repeat(64) }, exceptionsRegister: null },
      rejudge: null,
    };
    const manifest = JSON.parse(await readFile(await writeManifest(dir, { ...info, tool: { sbom } }, null, []), 'utf8')) as { tool?: unknown };
    expect(manifest.tool).toEqual({ sbom });
    const without = JSON.parse(await readFile(await writeManifest(dir, info, null, []), 'utf8')) as Record<string, unknown>;
    expect('tool' in without).toBe(false);
  });

  it('a checkout has none, so a run made here leaves tool out of its manifest', async () => {
    expect(existsSync(join(packageRoot, TOOL_SBOM_NAME))).toBe(false);
    const { dir } = await renderFixture();
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect('tool' in manifest).toBe(false);
  });
});
