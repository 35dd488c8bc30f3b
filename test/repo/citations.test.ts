/**
 * Comments cite what a reader of this repository can open: AWS documentation, API model names, files
 * in the repository. Notes kept outside it (a facts file, a sibling folder) are not citable.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git', '.tmp', 'reports', 'fixtures']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js|sh|md|ya?ml|json|tf)$/.test(name) ? [path] : [];
  });
}

describe('citations', () => {
  it('no source, script, template or document points outside the repository for a fact', () => {
    const outside = /aws-facts\.md|\.\.\/shared\//;
    const offenders = ['src', 'scripts', 'bench', 'templates', 'docs', 'test', 'README.md', 'Dockerfile', '.ci']
      .flatMap((entry) => (statSync(join(root, entry)).isDirectory() ? files(join(root, entry)) : [join(root, entry)]))
      .filter((path) => !path.endsWith('citations.test.ts') && outside.test(readFileSync(path, 'utf8')))
      .map((path) => relative(root, path));
    expect(offenders).toEqual([]);
  });
});
