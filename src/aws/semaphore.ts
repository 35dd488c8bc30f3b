/**
 * The global cap on requests in flight. Not a Bottleneck limiter: Bottleneck serialises every job
 * of one limiter through setTimeout(0) yields, which measured about 360 jobs/s through a single
 * maxConcurrent limiter here — far below the calls per second a scan needs. A FIFO of waiters
 * costs nothing per call. A second FIFO, served first, is for the few calls that others wait on
 * (the management account's Organizations and STS calls: a ListAccounts page or an AssumeRole
 * queued behind hundreds of KMS calls would leave accounts idle).
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private head = 0;
  private readonly urgent: (() => void)[] = [];
  private readonly gates: { below: number; resolve: () => void }[] = [];

  constructor(private readonly limit: number) {}

  /** Runs `work` in a slot; `urgent` work takes the next free slot before any other waiter. */
  async run<T>(work: () => Promise<T>, urgent = false): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => (urgent ? this.urgent : this.waiters).push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  get waiting(): number {
    return this.waiters.length - this.head + this.urgent.length;
  }

  /** Resolves once fewer than `below` callers wait for a slot (back-pressure for whoever adds work). */
  whenWaitingBelow(below: number): Promise<void> {
    if (this.waiting < below) return Promise.resolve();
    return new Promise((resolve) => this.gates.push({ below, resolve }));
  }

  private release(): void {
    if (this.urgent.length > 0) {
      this.urgent.shift()!();
    } else if (this.head < this.waiters.length) {
      // The slot passes straight to the next waiter (active stays the same).
      const next = this.waiters[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active--;
    }
    if (this.gates.length > 0) this.openGates();
  }

  private openGates(): void {
    const waiting = this.waiting;
    for (let i = this.gates.length - 1; i >= 0; i--) {
      const gate = this.gates[i]!;
      if (waiting < gate.below) {
        this.gates.splice(i, 1);
        gate.resolve();
      }
    }
  }
}
