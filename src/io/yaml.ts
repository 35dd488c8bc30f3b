/**
 * YAML files whose errors point at a line: parse with a LineCounter, then map a key path
 * (from a zod issue or a cross-field check) back to the line of the offending node.
 * Shared by the config file (src/config/load.ts) and the exceptions register (src/exceptions/).
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, isMap, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';

export interface LocatedYaml {
  /** The file name used in messages. */
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export type KeyPath = readonly PropertyKey[];

interface Ranged {
  range?: [number, number, number] | null;
}

/** Largest input file read whole (config, exceptions register, control mappings, branding): far above any real one. */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file; a missing, unreadable, non-regular (a device such as /dev/zero, a folder) or
 * oversized file is a UsageError naming it and `what` it should be.
 */
export async function readTextFile(file: string, what: string): Promise<string> {
  return (await readInputFile(file, what)).toString('utf8');
}

/** readTextFile's bytes, for a caller that records the digest of exactly what it parsed. */
export async function readInputFile(file: string, what: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${file}: cannot read ${what} (not a regular file)`);
    if (info.size > MAX_INPUT_FILE_BYTES) throw new UsageError(`${file}: cannot read ${what} (${info.size} bytes; expected at most ${MAX_INPUT_FILE_BYTES})`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Most alias expansions in one YAML document (the yaml library's own default is 100). */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain values. An alias bomb ("billion laughs": aliases of aliases) makes the
 * yaml library stop with a ReferenceError (https://eemeli.org/yaml/#tojs-options, maxAliasCount):
 * a UsageError naming the file.
 */
export function yamlToJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError) {
      throw new UsageError(`${file}: invalid YAML (its aliases expand too far: ${err.message.split('\n')[0]}); expected plain values or at most ${MAX_ALIAS_COUNT} simple aliases`);
    }
    throw err;
  }
}

/**
 * Parses YAML 1.2 text (duplicate keys refused). The core schema keeps `2026-01-15`
 * a string; the yaml-1.1 schema would turn it into a Date.
 */
export function parseYaml(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: 'core' });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    // `linePos` is only filled with prettyErrors; `pos` (character offsets) always is.
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new UsageError(`${at(file, line)}: invalid YAML (${first.message.split('\n')[0]})`);
  }
  return { file, doc, lineCounter };
}

/** `file:line`, or just `file` when the line is unknown. */
export function at(file: string, line: number | undefined): string {
  return line ? `${file}:${line}` : file;
}

/**
 * Line of the node at `path`; when `key` is given, the line of that key inside the map at
 * `path` (an unknown key). A path that does not exist (a missing field) falls back to its
 * nearest existing ancestor, so the message still points at the right entry.
 */
export function lineAt(located: LocatedYaml, path: KeyPath, key?: string): number | undefined {
  const { doc, lineCounter } = located;
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub as unknown[], true)) as Ranged | null | undefined;
    if (!node) continue;
    const keyNode = key !== undefined && depth === path.length ? findKeyNode(node, key) : undefined;
    const offset = keyNode?.range?.[0] ?? node.range?.[0];
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return undefined;
}

/** Line of the node a zod issue is about (unknown keys point at the key itself). */
export function issueLine(located: LocatedYaml, issue: z.core.$ZodIssue): number | undefined {
  if (issue.code === 'unrecognized_keys') return lineAt(located, issue.path, String(issue.keys[0]));
  return lineAt(located, issue.path);
}

function findKeyNode(node: unknown, key: string): Ranged | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const k = pair.key as { value?: unknown; range?: [number, number, number] } | null;
    if (k && String(k.value) === key) return k;
  }
  return undefined;
}
