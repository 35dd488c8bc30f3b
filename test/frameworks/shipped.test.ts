import { readdir } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AVAILABLE_FRAMEWORKS, DEFAULT_CIS_VERSION, DEFAULT_FRAMEWORKS, controlsReference, loadFrameworks } from '../../src/frameworks/index.js';
import { loadShippedFrameworks } from '../../src/frameworks/load.js';
import { frameworksDir } from '../../src/io/paths.js';

/** The exact control ids each shipped framework version carries (control-mapping.md). */
const EXPECTED: Record<string, Record<string, string[]>> = {
  cis: {
    '1.2.0': ['2.8'],
    '1.3.0': ['3.8'],
    '1.4.0': ['3.8'],
    '1.5.0': ['3.8'],
    '2.0.0': ['3.8'],
    '3.0.0': ['3.6'],
    '4.0.0': ['3.6'],
    '4.0.1': ['3.6'],
    '5.0.0': ['3.6'],
    '6.0.0': ['4.6'],
    '7.0.0': ['4.6'],
  },
  nist: { '800-53r4': ['SC-12'], '800-53r5': ['SC-12', 'SC-12(2)', 'SC-28(3)'] },
  apra: { '2019': ['21'] },
  mas: { '2021': ['10.2'] },
  securityhub: { fsbp: ['KMS.4'] },
  'aws-config': { managed: ['cmk-backing-key-rotation-enabled'] },
  pci: { '3.2.1': ['3.6.4'], '4.0.1': ['3.7.4'] },
  iso27001: { '2022': ['A.8.24'] },
};

const semver = (v: string): number[] => v.split('.').map(Number);
const newer = (a: string, b: string): number => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
};

describe('shipped mapping files', () => {
  it('validate against the schema, one file per framework named by its id', async () => {
    const all = await loadShippedFrameworks();
    const files = (await readdir(frameworksDir)).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)));
    expect(files.map((f) => basename(f, extname(f))).sort()).toEqual([...all.keys()].sort());
    expect([...all.keys()].sort()).toEqual([...AVAILABLE_FRAMEWORKS]);
  });

  it('carry exactly the expected control ids per version', async () => {
    const all = await loadShippedFrameworks();
    const actual = Object.fromEntries([...all].map(([id, l]) => [id, Object.fromEntries(l.framework.versions.map((v) => [v.version, v.controls.map((c) => c.id)]))]));
    expect(actual).toEqual(EXPECTED);
  });

  it('give every control a source and a confidence; APRA notes CPG 234; interpretive where the brief says so', async () => {
    const all = await loadShippedFrameworks();
    for (const { framework } of all.values()) for (const v of framework.versions) for (const c of v.controls) {
      expect(c.source.length).toBeGreaterThan(10);
      expect(['high', 'medium', 'low', 'interpretive']).toContain(c.confidence);
    }
    const apra = all.get('apra')!.framework.versions[0]!.controls[0]!;
    expect(apra.guidance).toMatch(/CPG 234/);
    expect(apra.confidence).toBe('interpretive');
    expect(all.get('mas')!.framework.versions[0]!.controls[0]!.confidence).toBe('interpretive');
    expect(all.get('mas')!.framework.versions[0]!.controls[0]!.section).toMatch(/^10 /);
  });

  it('default CIS version is the newest carried', async () => {
    const cis = (await loadShippedFrameworks()).get('cis')!.framework;
    const newest = cis.versions.map((v) => v.version).sort(newer).at(-1);
    expect(cis.defaultVersion).toBe(newest);
    expect(DEFAULT_CIS_VERSION).toBe(newest);
  });
});

describe('framework selection', () => {
  it('defaults to CIS (newest), APRA, MAS and NIST Rev. 5', async () => {
    const selection = await loadFrameworks({});
    expect(selection.frameworks.map((f) => `${f.id}@${f.version}`)).toEqual(['cis@7.0.0', 'apra@2019', 'mas@2021', 'nist@800-53r5']);
    expect(DEFAULT_FRAMEWORKS).toEqual(['cis', 'apra', 'mas', 'nist']);
    expect(controlsReference(selection)).toBe('CIS 7.0.0 4.6; APRA CPS 234 para 21; MAS TRM 2021 10.2; NIST 800-53r5 SC-12, SC-12(2), SC-28(3)');
  });

  it('selects a CIS version (with or without "v") and versions with id@version', async () => {
    const a = await loadFrameworks({ frameworks: ['cis', 'nist@800-53r4'], cisVersion: 'v1.2.0' });
    expect(controlsReference(a)).toBe('CIS 1.2.0 2.8; NIST 800-53r4 SC-12');
    const b = await loadFrameworks({ frameworks: ['cis@6.0.0,securityhub', 'aws-config', 'pci@3.2.1', 'iso27001'] });
    expect(controlsReference(b)).toBe('CIS 6.0.0 4.6; Security Hub KMS.4; AWS Config cmk-backing-key-rotation-enabled; PCI DSS 3.2.1 3.6.4; ISO 27001:2022 A.8.24');
  });

  it('rejects unknown frameworks and versions, naming what is available', async () => {
    await expect(loadFrameworks({ frameworks: ['cis', 'sox'] })).rejects.toThrow(/--frameworks: unknown framework "sox" \(available: apra, aws-config, cis/);
    await expect(loadFrameworks({ frameworks: ['cis'], cisVersion: '9.9.9' })).rejects.toThrow(/--cis-version: unknown CIS version "9.9.9" \(available: 1.2.0, 1.3.0/);
    await expect(loadFrameworks({ frameworks: ['nist@rev9'] })).rejects.toThrow(/unknown NIST version "rev9"/);
    await expect(loadFrameworks({ frameworks: ['cis@6.0.0'], cisVersion: '5.0.0' })).rejects.toThrow(/conflicts/);
    await expect(loadFrameworks({ frameworks: ['apra'], cisVersion: '5.0.0' })).rejects.toThrow(/CIS is not among the selected frameworks/);
    await expect(loadFrameworks({ frameworks: [' , '] })).rejects.toThrow(/expected at least one framework/);
    await expect(loadFrameworks({ frameworks: ['cis', 'cis@6.0.0'] })).rejects.toThrow(/given twice/);
  });
});
