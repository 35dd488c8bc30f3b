/** Reads a mapping file (YAML or JSON) and turns schema failures into one-line UsageErrors. */
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { readTextFile, yamlToJs } from '../io/yaml.js';
import { UsageError } from '../core/errors.js';
import { quote } from '../core/names.js';

export async function readDataFile(file: string): Promise<unknown> {
  const text = await readTextFile(file, 'file');
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      // The parser's message quotes the text (newlines, escape bytes): quoted, so the error stays one line.
      throw new UsageError(`${file}: invalid JSON (${quote((err as Error).message).slice(1, -1)})`);
    }
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0].line ?? text.slice(0, first.pos[0]).split('\n').length;
    throw new UsageError(`${file}: invalid YAML${line ? ` at line ${line}` : ''} (${first.message.split('\n')[0]})`);
  }
  return yamlToJs(doc, file);
}

/** `versions[2].controls[0].id` from a zod issue path, relative to `prefix`. */
export function keyPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, file: string, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  if (!first) throw new UsageError(`${file}: ${prefix || '(top level)'}: invalid`);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new UsageError(`${file}: ${keyPath(prefix, first.path)}: ${first.message}${more}`);
}
