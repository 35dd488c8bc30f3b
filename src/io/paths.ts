import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is), from src/ under tsx/vitest or from dist/src/ when built. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('kms-rotation-audit: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const templatesDir = join(packageRoot, 'templates');
export const frameworksDir = join(packageRoot, 'frameworks');
export const assetsDir = join(packageRoot, 'assets');
