/**
 * Progress of a scan: a live bar (cli-progress) on a terminal; periodic log lines otherwise,
 * so unattended jobs still show they are alive without flooding the log.
 */
import cliProgress from 'cli-progress';
import type { Logger } from './log.js';

export interface ProgressSink {
  setTotal(accounts: number): void;
  accountDone(): void;
  keysJudged(count: number): void;
  errors(count: number): void;
  stop(): void;
}

export interface ProgressOptions {
  logger: Logger;
  /** Draw a live bar (stderr is a terminal and --progress is on). */
  live: boolean;
  /** Seconds between log lines when not live. */
  intervalSeconds?: number;
  stream?: NodeJS.WritableStream;
}

export function createProgress(opts: ProgressOptions): ProgressSink {
  let total = 0;
  let accounts = 0;
  let keys = 0;
  let errorCount = 0;
  const startedAt = Date.now();

  if (opts.live) {
    const bar = new cliProgress.SingleBar(
      {
        stream: opts.stream ?? process.stderr,
        format: 'accounts {value}/{total} |{bar}| {percentage}% · keys {keys} · errors {errors} · ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { keys: 0, errors: 0 });
    return {
      setTotal(n) {
        total = n;
        bar.setTotal(n);
      },
      accountDone() {
        bar.update(++accounts, { keys, errors: errorCount });
      },
      keysJudged(n) {
        keys += n;
        bar.update(accounts, { keys, errors: errorCount });
      },
      errors(n) {
        errorCount += n;
      },
      stop() {
        bar.update(accounts, { keys, errors: errorCount });
        bar.stop();
      },
    };
  }

  const log = (): void => {
    const elapsed = (Date.now() - startedAt) / 1000;
    const rate = accounts / Math.max(elapsed, 1e-3);
    const etaSeconds = accounts > 0 && total > accounts ? Math.round((total - accounts) / rate) : null;
    opts.logger.info({ accountsDone: accounts, accountsTotal: total, keysJudged: keys, errors: errorCount, etaSeconds }, 'scan progress');
  };
  const timer = setInterval(log, (opts.intervalSeconds ?? 15) * 1000);
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
