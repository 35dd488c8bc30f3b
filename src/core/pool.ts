/**
 * The one worker pool: a fixed number of loops, each taking the next item until there is none.
 * Used for a region's keys (src/collect/kms.ts), the scan's accounts as the inventory finds them
 * (src/engine/index.ts, through WorkQueue), and remediation's accounts (src/remediate/apply.ts).
 */

/**
 * Runs `workers` loops at once (at least one); each awaits `gate` (when given), takes `next()`, and
 * ends when it answers undefined. Resolves when every loop has ended.
 */
async function runWorkers<T>(workers: number, next: () => Promise<T | undefined>, work: (item: T) => Promise<void>, gate?: () => Promise<void>): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      if (gate) await gate();
      const item = await next();
      if (item === undefined) return;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}

/** Runs `work` over `items` with at most `limit` running at once, taken in order of the items. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let cursor = 0;
  const next = (): Promise<number | undefined> => Promise.resolve(cursor < items.length ? cursor++ : undefined);
  await runWorkers(Math.min(limit, items.length), next, (index) => work(items[index] as T, index));
}

/**
 * Items that arrive while workers run (the inventory pushes accounts as ListAccounts pages arrive):
 * `drain` runs the pool over them while `push` goes on, and ends once the queue is closed and empty.
 */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private readonly waiting: ((item: T | undefined) => void)[] = [];
  private closed = false;

  push(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** No more items: idle workers finish. `drop` also discards what was queued (a failed inventory). */
  close(drop = false): void {
    this.closed = true;
    if (drop) this.items.length = 0;
    for (const waiter of this.waiting.splice(0)) waiter(undefined);
  }

  /** The next item, or undefined once closed and empty. */
  next(): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Runs `work` on every item with at most `workers` loops; resolves when the queue is closed and
   * drained. Each loop awaits `gate` before taking an item (back-pressure: start an account only
   * when the ones under way do not already keep every request slot busy).
   */
  drain(workers: number, work: (item: T) => Promise<void>, gate: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    return runWorkers(workers, () => this.next(), work, gate);
  }
}
