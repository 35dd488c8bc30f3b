/**
 * Logging: pino JSON lines for machines (and whenever stderr is not a terminal), a compact
 * human format on a terminal. Logs go to stderr; stdout is kept for command output.
 */
import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogFormat = 'auto' | 'pretty' | 'json';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name']);

export function createLogger(opts: { format: LogFormat; level: string; stream?: NodeJS.WritableStream; isTTY?: boolean }): Logger {
  const stream = opts.stream ?? process.stderr;
  const isTTY = opts.isTTY ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  const json = opts.format === 'json' || (opts.format === 'auto' && !isTTY);
  const base = { name: 'kms-rotation-audit' };
  if (json) return pino({ level: opts.level, base, redact: { paths: ['*.secretAccessKey', '*.sessionToken', '*.externalId'], censor: '***' } }, stream);
  return pino({ level: opts.level, base }, prettyStream(stream));
}

/** One readable line per record: `18:03:12 INFO message key=value …`. */
function prettyStream(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          const time = new Date(Number(record.time)).toISOString().slice(11, 19);
          const extras = Object.entries(record)
            .filter(([k]) => !HIDDEN.has(k))
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          target.write(`${time} ${LEVEL_NAMES[Number(record.level)] ?? record.level} ${String(record.msg ?? '')}${extras ? ' ' + extras : ''}\n`);
        } catch {
          target.write(line + '\n');
        }
      }
      callback();
    },
  });
}
