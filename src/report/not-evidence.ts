/**
 * "Not evidence": a run whose data came from an endpoint that is not AWS (the simulator, an emulator;
 * src/aws/endpoints.ts) is stamped on every page of the PDF and at the top of report.html. The wording is fixed here, not in templates/report,
 * so that no edit of the wording can make such a report look like evidence.
 */
import { dataSourceOf, nonAwsEndpoints, type DataSource } from '../aws/endpoints.js';
import type { ResultsHeader } from '../core/results.js';

export function notEvidenceStamp(model: { dataSource: DataSource | null }): { band: string; diagonal: string } | null {
  const source = model.dataSource;
  if (!source?.nonAws) return null;
  return { band: `NOT EVIDENCE: the data came from ${nonAwsText(source)}, a simulator or emulator, not from AWS`, diagonal: 'NOT EVIDENCE' };
}

/** `a non-AWS endpoint (http://127.0.0.1:4566)`, naming at most two. */
export function nonAwsText(source: DataSource): string {
  const endpoints = nonAwsEndpoints(source);
  if (endpoints.length === 0) return 'an endpoint recorded as not AWS';
  const shown = endpoints.slice(0, 2).join(', ');
  return `${endpoints.length === 1 ? 'a non-AWS endpoint' : 'non-AWS endpoints'} (${shown}${endpoints.length > 2 ? ` and ${endpoints.length - 2} more` : ''})`;
}

/**
 * The header's record of the endpoints the data came from (null: not recorded, a document from before
 * it was). Whether an endpoint is AWS is decided again here, not taken from the stored flag.
 */
export function recordedDataSource(header: ResultsHeader): DataSource | null {
  const source = header.dataSource;
  if (!source) return null;
  const again = dataSourceOf(source.endpoints);
  return { endpoints: again.endpoints, nonAws: again.nonAws || source.nonAws };
}
