/**
 * Merges sorted streams into one sorted stream, holding one item per stream (the k-way merge of
 * the shards' key streams: memory is bounded by the number of parts, not the number of keys).
 */
export interface SortedSource<T> {
  /** Named in errors (a part's file). */
  name: string;
  items: AsyncIterable<T>;
}

export class MergeOrderError extends Error {}

/**
 * Yields every item of every source in `compare` order. Each source must already be in that order
 * and no two items may compare equal (a key in two parts): either is a MergeOrderError naming the source.
 */
export async function* mergeSorted<T>(sources: SortedSource<T>[], compare: (a: T, b: T) => number, describe: (item: T) => string): AsyncIterable<T> {
  const iterators = sources.map((source) => source.items[Symbol.asyncIterator]());
  const heads: (T | undefined)[] = await Promise.all(iterators.map(async (it) => (await it.next()).value as T | undefined));
  const live = (i: number): boolean => heads[i] !== undefined;
  try {
    for (;;) {
      let min = -1;
      for (let i = 0; i < heads.length; i++) {
        if (!live(i)) continue;
        if (min === -1) min = i;
        else {
          const order = compare(heads[i]!, heads[min]!);
          if (order === 0) throw new MergeOrderError(`${describe(heads[i]!)} is in both ${sources[min]!.name} and ${sources[i]!.name}`);
          if (order < 0) min = i;
        }
      }
      if (min === -1) return;
      const item = heads[min]!;
      yield item;
      const next = await iterators[min]!.next();
      if (!next.done && compare(next.value, item) <= 0) throw new MergeOrderError(`${sources[min]!.name}: ${describe(next.value)} comes after ${describe(item)}; the part is not in report order`);
      heads[min] = next.done ? undefined : next.value;
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}
