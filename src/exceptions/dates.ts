/** Calendar dates of the register (`YYYY-MM-DD`, UTC) as day numbers, so comparisons never meet time zones. */
import type { ExceptionEntry, ExceptionState } from './types.js';

const DAY_MS = 86_400_000;
/** Entries expiring within this many days are flagged (issue #6). */
export const EXPIRING_SOON_DAYS = 30;

/** Days since 1970-01-01 for a valid `YYYY-MM-DD` calendar date, else null (2026-02-30 is not a date). */
export function dayNumber(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return Math.round(ms / DAY_MS);
}

/** Today's day number in UTC. */
export function today(now: Date): number {
  return Math.floor(now.getTime() / DAY_MS);
}

export function formatDay(dayNo: number): string {
  return new Date(dayNo * DAY_MS).toISOString().slice(0, 10);
}

/** An entry applies through the whole of its expiry date (UTC); it is expired from the next day on. */
export function isExpired(entry: Pick<ExceptionEntry, 'expires'>, now: Date): boolean {
  return (dayNumber(entry.expires) ?? -Infinity) < today(now);
}

export function entryState(entry: Pick<ExceptionEntry, 'expires'>, now: Date): ExceptionState {
  const left = (dayNumber(entry.expires) ?? -Infinity) - today(now);
  if (left < 0) return 'expired';
  return left <= EXPIRING_SOON_DAYS ? 'expiring-soon' : 'active';
}
