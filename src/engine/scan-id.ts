import { randomBytes } from 'node:crypto';

/** `2026-11-28T18-30-00Z-a1b2c3`: sorts by start time, safe in file names, unique per run. */
export function newScanId(startedAt: Date, random: () => Buffer = () => randomBytes(3)): string {
  const stamp = startedAt.toISOString().slice(0, 19).replaceAll(':', '-');
  return `${stamp}Z-${random().toString('hex').slice(0, 6)}`;
}
