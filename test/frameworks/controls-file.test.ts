import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { controlsReference, loadFrameworks } from '../../src/frameworks/index.js';
import { tempDir } from '../report/helpers.js';
import { ACME_CONTROLS } from '../fixtures/controls-file.js';

async function controlsFile(text: string, name = 'controls.yaml'): Promise<string> {
  const file = join(await tempDir('kra-controls-'), name);
  await writeFile(file, text);
  return file;
}

const ACME = ACME_CONTROLS;

describe('--controls FILE', () => {
  it('adds a company framework, selected by default after the four defaults', async () => {
    const selection = await loadFrameworks({ controlsFile: await controlsFile(ACME) });
    expect(selection.frameworks.map((f) => f.id)).toEqual(['cis', 'apra', 'mas', 'nist', 'acme-ccl']);
    expect(controlsReference(selection)).toMatch(/; ACME CCL CRY-07$/);
    // with an explicit --frameworks list, only what is listed
    const only = await loadFrameworks({ frameworks: ['acme-ccl'], controlsFile: await controlsFile(ACME) });
    expect(controlsReference(only)).toBe('ACME CCL CRY-07');
  });

  it('overrides a shipped control by id, adds controls and versions, or replaces a version', async () => {
    const file = await controlsFile(JSON.stringify({
      schemaVersion: 1,
      frameworks: [
        {
          id: 'nist',
          versions: [
            { version: '800-53r5', controls: [{ id: 'SC-12', title: 'Our wording', confidence: 'high', source: 'internal' }, { id: 'SC-12(6)', title: 'Policy-based key management', confidence: 'low', source: 'AWS Config lineage' }] },
            { version: '800-53r4', replace: true, controls: [{ id: 'SC-13', title: 'Cryptographic protection', confidence: 'low', source: 'internal' }] },
            { version: '800-171r2', label: 'NIST SP 800-171 Rev. 2', reference: 'NIST 800-171r2', controls: [{ id: '3.13.10', title: 'Establish and manage cryptographic keys', confidence: 'medium', source: 'tools' }] },
          ],
        },
      ],
    }), 'controls.json');
    const r5 = await loadFrameworks({ frameworks: ['nist'], controlsFile: file });
    expect(r5.frameworks[0]!.controls.map((c) => [c.id, c.title])).toEqual([
      ['SC-12', 'Our wording'],
      ['SC-12(2)', 'Cryptographic Key Establishment and Management | Symmetric Keys'],
      ['SC-28(3)', 'Protection of Information at Rest | Cryptographic Keys'],
      ['SC-12(6)', 'Policy-based key management'],
    ]);
    expect(r5.frameworks[0]!.files.at(-1)).toBe(file);
    expect(controlsReference(await loadFrameworks({ frameworks: ['nist@800-53r4'], controlsFile: file }))).toBe('NIST 800-53r4 SC-13');
    expect(controlsReference(await loadFrameworks({ frameworks: ['nist@800-171r2'], controlsFile: file }))).toBe('NIST 800-171r2 3.13.10');
  });

  it.each([
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    versions:\n      - version: 7.0.0\n        controls:\n          - { id: "4.6", title: 5, confidence: high, source: x }\n', /controls\.yaml:7: frameworks\[0\]\.versions\[0\]\.controls\[0\]\.title: .*expected string/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    colour: red\n', /controls\.yaml:4: frameworks\[0\]: Unrecognized key: "colour"/],
    ['schemaVersion: 1\nframeworks:\n  - id: new-one\n    name: New\n', /controls\.yaml:3: frameworks\[0\]\.shortName: .*expected string/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    versions:\n      - version: 9.0.0\n        controls:\n          - { id: "1", title: t, confidence: high, source: s }\n', /controls\.yaml:5: frameworks\[0\]\.versions\[0\]\.label: .*expected string/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    versions:\n      - version: 7.0.0\n        controls:\n          - { id: "4.6", title: t, confidence: certain, source: s }\n', /controls\.yaml:7: frameworks\[0\]\.versions\[0\]\.controls\[0\]\.confidence: .*"high"/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    defaultVersion: 0.1\n', /controls\.yaml:4: frameworks\[0\]\.defaultVersion: .*expected string/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n    defaultVersion: "0.1"\n', /controls\.yaml:4: frameworks\[0\]\.defaultVersion: expected one of the versions/],
    ['schemaVersion: 1\nframeworks:\n  - id: Bad_Id\n', /controls\.yaml:3: frameworks\[0\]\.id: expected a lower-case id/],
    ['schemaVersion: 2\nframeworks: []\n', /controls\.yaml:1: schemaVersion: /],
    ['frameworks: [oops\n', /controls\.yaml:2: invalid YAML/],
    ['schemaVersion: 1\nframeworks:\n  - id: cis\n  - id: cis\n', /controls\.yaml:4: frameworks\[1\]\.id: framework "cis" appears twice/],
  ])('rejects a bad file with the file, line, key path and expectation (%#)', async (text, message) => {
    const err = await loadFrameworks({ controlsFile: await controlsFile(text) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as Error).message)).toMatch(message);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('rejects a missing file and invalid JSON', async () => {
    await expect(loadFrameworks({ controlsFile: '/nonexistent/controls.yaml' })).rejects.toThrow(/\/nonexistent\/controls\.yaml: cannot read file \(ENOENT\)/);
    await expect(loadFrameworks({ controlsFile: await controlsFile('{"schemaVersion": 1,', 'c.json') })).rejects.toThrow(/c\.json: invalid JSON/);
  });

  it('validates the shipped folder too (a broken shipped file names itself)', async () => {
    const dir = await tempDir('kra-fw-');
    await writeFile(join(dir, 'cis.yaml'), 'schemaVersion: 1\nid: cis\n');
    await expect(loadFrameworks({ frameworksDir: dir })).rejects.toThrow(/cis\.yaml:1: name: .*expected string/);
    await writeFile(join(dir, 'cis.yaml'), ACME.replace('schemaVersion: 1\nframeworks:\n  - ', '').replace(/^ {4}/gm, ''));
    await expect(loadFrameworks({ frameworksDir: dir })).rejects.toThrow(/cis\.yaml:\d+: (schemaVersion|id)/);
  });
});
