/** changes.csv: one row per key whose situation changed since the previous finished run. */
import { CsvFileWriter, teeRows, type RowWriter } from '../io/csv.js';
import { summarizeChanges, type ChangeSummary, type KeyChange } from './changes.js';

export const CHANGES_COLUMNS = [
  'change', 'account_id', 'region', 'key_id', 'key_arn', 'aliases',
  'previous_status', 'current_status', 'previous_reason', 'current_reason',
] as const;

function changeRow(change: KeyChange): string[] {
  return [
    change.kind, change.accountId, change.region, change.keyId, change.keyArn, change.aliases.join(' '),
    change.previousStatus ?? '', change.currentStatus ?? '', change.previousReason ?? '', change.currentReason ?? '',
  ];
}

/**
 * `onChange` sees every change as it is written (the PDF keeps the first few newly failing keys);
 * `sheet` (findings.xlsx) gets the same rows.
 */
export async function writeChangesCsv(path: string, previousResults: string, currentResults: string, onChange?: (change: KeyChange) => void, sheet?: RowWriter | null): Promise<ChangeSummary> {
  const writer = teeRows(CsvFileWriter.open(path, CHANGES_COLUMNS), sheet);
  try {
    const summary = await summarizeChanges(previousResults, currentResults, async (change) => {
      await writer.write(changeRow(change));
      onChange?.(change);
    });
    await writer.close();
    return summary;
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
