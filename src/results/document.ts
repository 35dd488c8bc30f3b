/**
 * results.json on disk: valid JSON that our own reader can also stream line by line.
 *
 *   {"format":"kms-rotation-audit/results","formatVersion":1,"header":{…},
 *   "keys":[
 *   {…key…},
 *   {…key…}
 *   ]}
 *
 * The writer streams keys (never holds them all); the reader streams them back and falls
 * back to a whole-file JSON.parse for documents that were re-formatted by another tool.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { RESULTS_FORMAT, RESULTS_FORMAT_VERSION, type KeyResult, type ResultsHeader } from './types.js';

const KEYS_OPEN = '"keys":[';
const KEYS_CLOSE = ']}';

/** Writes the document to `path` via a temporary name, renamed when complete. */
export async function writeResultsDocument(path: string, header: ResultsHeader, keys: AsyncIterable<KeyResult> | Iterable<KeyResult>): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  const write = async (chunk: string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write(JSON.stringify({ format: RESULTS_FORMAT, formatVersion: RESULTS_FORMAT_VERSION, header }).slice(0, -1) + ',\n');
    await write(KEYS_OPEN + '\n');
    let first = true;
    for await (const key of keys) {
      await write((first ? '' : ',\n') + JSON.stringify(key));
      first = false;
    }
    await write((first ? '' : '\n') + KEYS_CLOSE + '\n');
    out.end();
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    // Writes still queued fail once the stream is destroyed: that is expected here, not a crash.
    out.on('error', () => undefined);
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

export interface ResultsReader {
  header: ResultsHeader;
  /** Streams the keys in document order; each call starts from the beginning. */
  keys(): AsyncIterable<KeyResult>;
}

/** Opens a results document, validating its format and version (a UsageError names the file otherwise). */
export async function openResults(path: string): Promise<ResultsReader> {
  const firstLine = await readFirstLine(path);
  if (firstLine.endsWith(',')) {
    const head = parseJson(firstLine.slice(0, -1) + '}', path) as { format?: unknown; formatVersion?: unknown; header?: ResultsHeader };
    if (head && head.format === RESULTS_FORMAT && head.header) {
      checkVersion(head, path);
      return { header: head.header, keys: () => streamKeys(path) };
    }
  }
  // Not our line layout (pretty-printed or re-serialised): parse the whole file.
  const doc = parseJson(await readFile(path, 'utf8'), path) as { format?: unknown; formatVersion?: unknown; header?: ResultsHeader; keys?: KeyResult[] };
  if (!doc || doc.format !== RESULTS_FORMAT || !doc.header || !Array.isArray(doc.keys)) {
    throw new UsageError(`${path}: not a kms-rotation-audit results document (expected "format": "${RESULTS_FORMAT}" with "header" and "keys")`);
  }
  checkVersion(doc, path);
  const keys = doc.keys;
  return {
    header: doc.header,
    keys: async function* () {
      yield* keys;
    },
  };
}

function checkVersion(doc: { formatVersion?: unknown }, path: string): void {
  if (doc.formatVersion !== RESULTS_FORMAT_VERSION) {
    throw new UsageError(`${path}: results formatVersion ${JSON.stringify(doc.formatVersion)} is not supported (expected ${RESULTS_FORMAT_VERSION})`);
  }
}

async function* streamKeys(path: string): AsyncIterable<KeyResult> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let inKeys = false;
  let closed = false;
  for await (const line of lines) {
    lineNo++;
    if (lineNo === 1) continue;
    if (!inKeys) {
      if (line !== KEYS_OPEN) throw new UsageError(`${path}:${lineNo}: expected ${KEYS_OPEN}`);
      inKeys = true;
      continue;
    }
    if (line === KEYS_CLOSE) {
      closed = true;
      break;
    }
    const text = line.endsWith(',') ? line.slice(0, -1) : line;
    yield parseJson(text, `${path}:${lineNo}`) as KeyResult;
  }
  if (!closed) throw new UsageError(`${path}: truncated results document (no closing "${KEYS_CLOSE}"); the run that wrote it did not finish`);
}

async function readFirstLine(path: string): Promise<string> {
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read results document (${code ?? (err as Error).message})`);
  } finally {
    stream?.destroy();
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: invalid JSON in results document (${(err as Error).message})`);
  }
}
