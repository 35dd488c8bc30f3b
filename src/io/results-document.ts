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
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { quote } from '../core/names.js';
import { AtomicFile } from './files.js';
import { checkedKeys, checkHeader } from '../core/results-validate.js';
import { RESULTS_FORMAT, RESULTS_FORMAT_VERSION, type KeyResult, type ResultsHeader } from '../core/results.js';

const KEYS_OPEN = '"keys":[';
const KEYS_CLOSE = ']}';

/** Writes the document to `path` via a temporary name, renamed when complete. */
export async function writeResultsDocument(path: string, header: ResultsHeader, keys: AsyncIterable<KeyResult> | Iterable<KeyResult>): Promise<void> {
  const file = AtomicFile.open(path, { encoding: 'utf8' });
  try {
    await file.write(JSON.stringify({ format: RESULTS_FORMAT, formatVersion: RESULTS_FORMAT_VERSION, header }).slice(0, -1) + ',\n');
    await file.write(KEYS_OPEN + '\n');
    let first = true;
    for await (const key of keys) {
      await file.write((first ? '' : ',\n') + JSON.stringify(key));
      first = false;
    }
    await file.write((first ? '' : '\n') + KEYS_CLOSE + '\n');
    file.stream.end();
    await file.commit();
  } catch (err) {
    await file.abort();
    throw err;
  }
}

export interface ResultsReader {
  header: ResultsHeader;
  /** Streams the keys in document order; each call starts from the beginning. */
  keys(): AsyncIterable<KeyResult>;
}

/** Longest header line read (a 10,000-account organization's coverage is a few tens of MB). */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;
/** Largest document parsed whole (one not in our line layout); V8's longest string is about 512 MB. */
const MAX_WHOLE_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Opens a results document, validating its format, version and header (a UsageError names the
 * file otherwise); its keys are validated, and checked to be in report order, as they stream.
 */
export async function openResults(path: string): Promise<ResultsReader> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path}: cannot read results document (not a regular file)`);
    size = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: cannot read results document (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const firstLine = await readFirstLine(path);
  if (firstLine.endsWith(',')) {
    const head = parseJson(firstLine.slice(0, -1) + '}', `${path}:1`) as { format?: unknown; formatVersion?: unknown; header?: ResultsHeader };
    if (head && head.format === RESULTS_FORMAT && head.header) {
      checkVersion(head, path);
      return { header: checkHeader(head.header, path), keys: () => checkedKeys(streamKeys(path)) };
    }
  }
  // Not our line layout (pretty-printed or re-serialised): parse the whole file.
  if (size > MAX_WHOLE_DOCUMENT_BYTES) throw new UsageError(`${path}: not a kms-rotation-audit results document in its line layout, and too large (${size} bytes) to read whole`);
  const doc = parseJson(await readFile(path, 'utf8'), path) as { format?: unknown; formatVersion?: unknown; header?: ResultsHeader; keys?: KeyResult[] };
  if (!doc || doc.format !== RESULTS_FORMAT || !doc.header || !Array.isArray(doc.keys)) {
    throw new UsageError(`${path}: not a kms-rotation-audit results document (expected "format": "${RESULTS_FORMAT}" with "header" and "keys")`);
  }
  checkVersion(doc, path);
  const header = checkHeader(doc.header, path);
  const keys = doc.keys;
  return {
    header,
    keys: () =>
      checkedKeys(
        (async function* () {
          for (const [i, key] of keys.entries()) yield { key, where: `${path}: keys[${i}]` };
        })(),
      ),
  };
}

function checkVersion(doc: { formatVersion?: unknown }, path: string): void {
  if (doc.formatVersion !== RESULTS_FORMAT_VERSION) {
    throw new UsageError(`${path}: results formatVersion ${JSON.stringify(doc.formatVersion)} is not supported (expected ${RESULTS_FORMAT_VERSION})`);
  }
}

async function* streamKeys(path: string): AsyncIterable<{ key: unknown; where: string }> {
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
    yield { key: parseJson(text, `${path}:${lineNo}`), where: `${path}:${lineNo}` };
  }
  if (!closed) throw new UsageError(`${path}: truncated results document (no closing "${KEYS_CLOSE}"); the run that wrote it did not finish`);
}

/** The first line, read in chunks and bounded (a file without newlines is not read to its end). */
async function readFirstLine(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(1 << 16);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
      const end = newline === -1 ? bytesRead : newline;
      chunks.push(Buffer.from(buffer.subarray(0, end)));
      total += end;
      if (newline !== -1) break;
      if (total > MAX_HEADER_BYTES) throw new UsageError(`${path}: not a kms-rotation-audit results document (no line break in its first ${MAX_HEADER_BYTES} bytes)`);
    }
    return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read results document (${code ?? (err as Error).message})`);
  } finally {
    await handle?.close();
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the text: escape what a terminal would act on (ESC, bidi controls).
    const message = (err as Error).message.slice(0, 200);
    throw new UsageError(`${where}: invalid JSON in results document (${quote(message).slice(1, -1)})`);
  }
}
