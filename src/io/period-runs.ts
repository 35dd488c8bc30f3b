/**
 * The finished runs of a reporting period, from the reports root: each run's snapshot time (its
 * manifest's snapshotAt) and the counts its results header records, oldest first. Read for the
 * report's reporting period and trend chart only when a period is configured; a run whose files
 * cannot be read is left out (the report lists what it could read).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openResults } from './results-document.js';
import type { StatusCounts } from '../core/results.js';
import { SCAN_EXTENSION, type ScanEngineExtension } from '../core/results.js';
import { listRuns, MANIFEST } from './runs.js';
import { RESULTS_FILE } from '../core/run-files.js';

export interface PeriodRun {
  scanId: string;
  snapshotAt: string;
  byStatus: StatusCounts;
  keys: number;
  /** The scan's coverage verdict (header.extensions.scan.coverageComplete); null when not recorded. */
  coverageComplete: boolean | null;
}

/** Finished runs with a snapshot in [start, end) and not after `until`, oldest first; `except` (a scan id) left out. */
export async function runsInPeriod(root: string, period: { start: string; end: string }, until: string, except: string): Promise<PeriodRun[]> {
  const from = Date.parse(period.start);
  const to = Math.min(Date.parse(period.end), Date.parse(until) + 1);
  const out: PeriodRun[] = [];
  for (const run of await listRuns(root)) {
    if (!run.finished) continue;
    try {
      const manifest = JSON.parse(await readFile(join(run.dir, MANIFEST), 'utf8')) as { scanId?: unknown; snapshotAt?: unknown };
      const at = typeof manifest.snapshotAt === 'string' ? Date.parse(manifest.snapshotAt) : NaN;
      if (manifest.scanId === except || Number.isNaN(at) || at < from || at >= to) continue;
      const { header } = await openResults(join(run.dir, RESULTS_FILE));
      const scan = header.extensions[SCAN_EXTENSION] as Partial<ScanEngineExtension> | undefined;
      out.push({ scanId: header.scanId, snapshotAt: header.finishedAt, byStatus: header.summary.byStatus, keys: header.summary.keys, coverageComplete: typeof scan?.coverageComplete === 'boolean' ? scan.coverageComplete : null });
    } catch {
      continue;
    }
  }
  return out.sort((a, b) => (a.snapshotAt < b.snapshotAt ? -1 : a.snapshotAt > b.snapshotAt ? 1 : 0));
}
