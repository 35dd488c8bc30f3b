/**
 * The reporting period: printed only when branding.yaml configures one (`reportingPeriod: month` or
 * `quarter`), around the snapshot time (UTC). A single scan tests the control at one point in time;
 * the period then lists the finished runs inside it (src/io/period-runs.ts), never implies more.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export type PeriodKind = 'none' | 'month' | 'quarter' | 'snapshot';

export interface ReportingPeriod {
  /** `Q4 2026 (2026-10-01 to 2026-12-31)`. */
  label: string;
  /** First instant of the period (ISO 8601, UTC). */
  start: string;
  /** First instant after it. */
  end: string;
}

/** null when no period is configured (`none`; `snapshot`, its former name, is the same). */
export function reportingPeriodOf(kind: PeriodKind, finishedAt: string): ReportingPeriod | null {
  const t = new Date(finishedAt);
  if (Number.isNaN(t.getTime()) || kind === 'none' || kind === 'snapshot') return null;
  const year = t.getUTCFullYear();
  const [first, months] = kind === 'month' ? [t.getUTCMonth(), 1] : [Math.floor(t.getUTCMonth() / 3) * 3, 3];
  const start = new Date(Date.UTC(year, first, 1));
  const end = new Date(Date.UTC(year, first + months, 1));
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  const range = `(${day(start)} to ${day(new Date(end.getTime() - 86_400_000))})`;
  const name = kind === 'month' ? `${MONTHS[first]} ${year}` : `Q${first / 3 + 1} ${year}`;
  return { label: `${name} ${range}`, start: start.toISOString(), end: end.toISOString() };
}
