/** Regenerates config.schema.json and the README's configuration table from the option schema. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configSchemaFile, replaceTable } from '../src/config/docs.js';
import { packageRoot } from '../src/io/paths.js';

const readmePath = join(packageRoot, 'README.md');
await writeFile(readmePath, replaceTable(await readFile(readmePath, 'utf8')));
await writeFile(join(packageRoot, 'config.schema.json'), configSchemaFile());
console.log('updated README.md configuration table and config.schema.json');
