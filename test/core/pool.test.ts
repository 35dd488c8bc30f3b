import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/aws/semaphore.js';
import { forEachLimit, WorkQueue } from '../../src/core/pool.js';

describe('WorkQueue', () => {
  it('feeds workers as items arrive and ends when closed', async () => {
    const queue = new WorkQueue<number>();
    const done: number[] = [];
    let running = 0;
    let peak = 0;
    const drained = queue.drain(2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      done.push(n);
      running--;
    });
    queue.push(1);
    queue.push(2);
    queue.push(3);
    await new Promise((r) => setTimeout(r, 5));
    queue.push(4);
    queue.close();
    await drained;
    expect(done.sort()).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('close(true) drops what is queued', async () => {
    const queue = new WorkQueue<number>();
    queue.push(1);
    queue.push(2);
    queue.close(true);
    const seen: number[] = [];
    await queue.drain(1, async (n) => void seen.push(n));
    expect(seen).toEqual([]);
  });

  it('waits at the gate before taking an item', async () => {
    const queue = new WorkQueue<number>();
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const seen: number[] = [];
    queue.push(1);
    queue.close();
    const drained = queue.drain(1, async (n) => void seen.push(n), () => gate);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
    open();
    await drained;
    expect(seen).toEqual([1]);
  });
});

describe('forEachLimit', () => {
  it('runs at most `limit` at once, takes the items in order and passes each its index', async () => {
    const started: [string, number][] = [];
    let running = 0;
    let peak = 0;
    await forEachLimit(['a', 'b', 'c', 'd', 'e'], 2, async (item, index) => {
      started.push([item, index]);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    expect(started).toEqual([['a', 0], ['b', 1], ['c', 2], ['d', 3], ['e', 4]]);
    expect(peak).toBe(2);
  });

  it('does nothing for no items, and runs one at a time for a limit below one', async () => {
    const seen: number[] = [];
    await forEachLimit([], 4, async () => void seen.push(0));
    await forEachLimit([1, 2], 0, async (n) => void seen.push(n));
    expect(seen).toEqual([1, 2]);
  });
});

describe('Semaphore', () => {
  it('hands slots over in order and opens back-pressure gates when the queue shrinks', async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const hold = (n: number) => semaphore.run(() => new Promise<void>((resolve) => releases.push(() => (order.push(n), resolve()))));
    const runs = [hold(1), hold(2), hold(3)];
    await new Promise((r) => setImmediate(r));
    expect(semaphore.waiting).toBe(2);
    let gateOpen = false;
    const gate = semaphore.whenWaitingBelow(2).then(() => (gateOpen = true));
    await new Promise((r) => setImmediate(r));
    expect(gateOpen).toBe(false);
    releases.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(gateOpen).toBe(true);
    while (releases.length > 0 || order.length < 3) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    await Promise.all([...runs, gate]);
    expect(order).toEqual([1, 2, 3]);
  });
});
