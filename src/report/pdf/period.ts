/** The reporting period printed on the cover, from the snapshot time (UTC). */
import { displayUtc } from '../text.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function reportingPeriod(kind: 'quarter' | 'month' | 'snapshot', startedAt: string, finishedAt: string): string {
  const t = new Date(finishedAt);
  if (Number.isNaN(t.getTime()) || kind === 'snapshot') return `Scan window ${displayUtc(startedAt)} to ${displayUtc(finishedAt)}`;
  const year = t.getUTCFullYear();
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  if (kind === 'month') {
    const m = t.getUTCMonth();
    return `${MONTHS[m]} ${year} (${day(new Date(Date.UTC(year, m, 1)))} to ${day(new Date(Date.UTC(year, m + 1, 0)))})`;
  }
  const q = Math.floor(t.getUTCMonth() / 3);
  return `Q${q + 1} ${year} (${day(new Date(Date.UTC(year, q * 3, 1)))} to ${day(new Date(Date.UTC(year, q * 3 + 3, 0)))})`;
}
