import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchemaFile, replaceTable } from '../../src/config/docs.js';
import { optionSpecs } from '../../src/config/schema.js';
import { packageRoot } from '../../src/io/paths.js';

describe('generated configuration docs', () => {
  it('README table and config.schema.json are up to date (run npm run docs)', async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    expect(replaceTable(readme)).toBe(readme);
    expect(await readFile(join(packageRoot, 'config.schema.json'), 'utf8')).toBe(configSchemaFile());
  });

  it('documents every option', async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    for (const spec of optionSpecs) expect(readme).toContain(`\`${spec.key}\``);
  });
});
