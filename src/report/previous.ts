/** The previous run, for the trend: its counts by status and the keys that failed in it. */
import { openResults } from '../io/results-document.js';
import { emptyStatusCounts } from '../core/results.js';
import { checkHeader } from './header.js';
import type { TrendInput } from './summary.js';

export async function loadPrevious(path: string): Promise<TrendInput> {
  const reader = await openResults(path);
  checkHeader(reader.header, path);
  const counts = emptyStatusCounts();
  const failing = new Set<string>();
  for await (const key of reader.keys()) {
    if (key.status in counts) counts[key.status]++;
    if (key.status === 'FAIL') failing.add(key.keyArn);
  }
  return { scanId: reader.header.scanId, finishedAt: reader.header.finishedAt, counts, failing };
}
