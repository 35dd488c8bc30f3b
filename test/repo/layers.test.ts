/**
 * The layers of src/ (.dependency-cruiser.cjs, run by `npm run lint`): imports run downhill only, no
 * import cycles, the simulator kept apart. The rules hold on the tree, and a deliberate uphill import
 * breaks them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = (cwd: string) => spawnSync(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', config, '--output-type', 'err'], { cwd, encoding: 'utf8' });

const scratch = mkdtempSync(join(tmpdir(), 'kra-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'tree-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('layers', () => {
  it('src/ keeps to them', () => {
    const run = depcruise(root);
    expect(run.stdout + run.stderr).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  }, 60_000);

  it('an uphill import, a cycle and the scanner importing the simulator are each refused', () => {
    const run = depcruise(
      tree({
        'src/core/results.ts': "import { main } from '../cli/main.js';\nexport const x = main;\n",
        'src/cli/main.ts': "export const main = 1;\n",
        'src/engine/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
        'src/engine/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
        'src/report/index.ts': "import { sim } from '../sim/index.js';\nexport const r = sim;\n",
        'src/sim/index.ts': "export const sim = 1;\n",
      }),
    );
    const out = run.stdout + run.stderr;
    expect(run.status).not.toBe(0);
    expect(out).toContain('downhill-only-core: src/core/results.ts → src/cli/main.ts');
    expect(out).toMatch(/no-circular: src\/engine\/[ab]\.ts → /);
    expect(out).toContain('sim-stays-apart: src/report/index.ts → src/sim/index.ts');
  }, 60_000);
});
