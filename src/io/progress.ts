/**
 * Progress of a scan: a live bar (cli-progress) on a terminal, with log lines printed above it
 * instead of through it; periodic log lines otherwise, so unattended jobs show they are alive
 * without flooding the log.
 */
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Logger } from './log.js';

export interface ProgressSink {
  setTotal(accounts: number): void;
  accountDone(): void;
  keysJudged(count: number): void;
  errors(count: number): void;
  stop(): void;
}

export interface LiveProgress extends ProgressSink {
  /** Where log lines go while the bar is drawn (above the bar). */
  logStream: NodeJS.WritableStream;
}

/** A live bar on `stream` (a terminal). Give its logStream to the logger. */
export function createLiveProgress(stream: NodeJS.WritableStream = process.stderr): LiveProgress {
  let total = 0;
  let accounts = 0;
  let keys = 0;
  let errorCount = 0;
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: 'accounts {value}/{total} |{bar}| {percentage}% · keys {keys} · errors {errors} · ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  // The bar appears once the number of accounts is known (never a misleading "0/0 100%").
  let bar: cliProgress.SingleBar | null = null;
  const update = (): void => bar?.update(accounts, { keys, errors: errorCount });
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      if (bar) multibar.log(text.endsWith('\n') ? text : text + '\n');
      else stream.write(text);
      callback();
    },
  });
  return {
    logStream,
    setTotal(n) {
      total = n;
      if (!bar) bar = multibar.create(total, accounts, { keys, errors: errorCount });
      else bar.setTotal(n);
    },
    accountDone() {
      accounts++;
      update();
    },
    keysJudged(n) {
      keys += n;
      update();
    },
    errors(n) {
      errorCount += n;
      update();
    },
    stop() {
      update();
      multibar.stop();
      bar = null;
    },
  };
}

/** Periodic progress log lines, for runs without a terminal. */
export function createLoggedProgress(logger: Logger, intervalSeconds = 15): ProgressSink {
  let total = 0;
  let accounts = 0;
  let keys = 0;
  let errorCount = 0;
  const startedAt = Date.now();
  const log = (): void => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const rate = accounts / Math.max(elapsed, 1e-3);
    const etaSeconds = accounts > 0 && total > accounts ? Math.round((total - accounts) / rate) : null;
    logger.info({ accountsDone: accounts, accountsTotal: total, keysJudged: keys, errors: errorCount, etaSeconds }, 'scan progress');
  };
  const timer = setInterval(log, intervalSeconds * 1000);
  timer.unref();
  return {
    setTotal(n) {
      total = n;
    },
    accountDone() {
      accounts++;
    },
    keysJudged(n) {
      keys += n;
    },
    errors(n) {
      errorCount += n;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
