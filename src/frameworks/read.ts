/**
 * Reads a mapping file (YAML or JSON) with the one YAML reader (src/io/yaml.ts: YAML 1.2, duplicate
 * keys refused, alias bombs stopped), and turns schema failures into one-line UsageErrors that name
 * the file, the line (YAML) and the key path: `controls.yaml:7: frameworks[0].versions[0].label: …`.
 */
import { extname } from 'node:path';
import type { z } from 'zod';
import { at, lineAt, parseYaml, readTextFile, yamlToJs, type KeyPath } from '../io/yaml.js';
import { UsageError } from '../core/errors.js';
import { quote } from '../core/names.js';

/** A data file as read: its value, and the line of a key path in it (YAML; a JSON file has no lines to give). */
export interface DataFile {
  file: string;
  value: unknown;
  /** The line of the node at `path` (or of `key` inside the map there), or undefined. */
  lineOf(path: KeyPath, key?: string): number | undefined;
}

export async function readData(file: string): Promise<DataFile> {
  const text = await readTextFile(file, 'file');
  if (extname(file).toLowerCase() === '.json') {
    try {
      return { file, value: JSON.parse(text) as unknown, lineOf: () => undefined };
    } catch (err) {
      // The parser's message quotes the text (newlines, escape bytes): quoted, so the error stays one line.
      throw new UsageError(`${file}: invalid JSON (${quote((err as Error).message).slice(1, -1)})`);
    }
  }
  const located = parseYaml(text, file);
  return { file, value: yamlToJs(located.doc, file), lineOf: (path, key) => lineAt(located, path, key) };
}

/** The value of a data file, for readers that need no lines (src/report/templates.ts). */
export async function readDataFile(file: string): Promise<unknown> {
  return (await readData(file)).value;
}

/** `versions[2].controls[0].id` from a zod issue path, relative to `prefix`. */
function keyPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/**
 * `value` (the part of `data` at `path`; all of it by default) parsed with `schema`, or a UsageError
 * `file:line: key.path: what is wrong`. `linesFollow` says whether an issue's path inside `value` is
 * also its path in the file (default true); for a value built from the file (a merge) it answers
 * false where the paths differ, and the error points at `path` itself.
 */
export function parseAt<T extends z.ZodType>(schema: T, data: DataFile, options: { value?: unknown; path?: KeyPath; linesFollow?: (issuePath: KeyPath) => boolean } = {}): z.infer<T> {
  const path = options.path ?? [];
  const result = schema.safeParse('value' in options ? options.value : data.value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const follows = first !== undefined && (options.linesFollow?.(first.path) ?? true);
  const line = !follows ? data.lineOf(path) : first.code === 'unrecognized_keys' ? data.lineOf([...path, ...first.path], String(first.keys[0])) : data.lineOf([...path, ...first.path]);
  throw issueError(result.error.issues, at(data.file, line), path.length > 0 ? keyPath('', path) : '');
}

/** `value` parsed with `schema`, or a UsageError naming `file` and the key path under `prefix` (a value not read from a file of its own, e.g. a results header). */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, file: string, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw issueError(result.error.issues, file, prefix);
}

function issueError(issues: readonly z.core.$ZodIssue[], where: string, prefix: string): UsageError {
  const first = issues[0];
  if (!first) return new UsageError(`${where}: ${prefix || '(top level)'}: invalid`);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new UsageError(`${where}: ${keyPath(prefix, first.path)}: ${first.message}${more}`);
}
