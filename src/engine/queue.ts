/**
 * Accounts waiting to be scanned: the inventory pushes them as ListAccounts pages arrive, a fixed
 * number of workers pull them. A worker's loop ends when the queue is closed and empty.
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
  async drain(workers: number, work: (item: T) => Promise<void>, gate: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    const loop = async (): Promise<void> => {
      for (;;) {
        await gate();
        const item = await this.next();
        if (item === undefined) return;
        await work(item);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
  }
}
