/**
 * "Not evidence": a run whose data came from an endpoint that is not AWS (the simulator, an emulator;
 * src/aws/endpoints.ts) is stamped on every page. The wording is fixed here, not in templates/report,
 * so that no edit of the wording can make such a report look like evidence.
 */
import { nonAwsEndpoints } from '../../../aws/endpoints.js';
import type { PdfModel } from '../model.js';

export function notEvidenceStamp(model: Pick<PdfModel, 'dataSource'>): { band: string; diagonal: string } | null {
  const source = model.dataSource;
  if (!source?.nonAws) return null;
  return { band: `NOT EVIDENCE: the data came from ${nonAwsText(source)}, a simulator or emulator, not from AWS`, diagonal: 'NOT EVIDENCE' };
}

/** `a non-AWS endpoint (http://127.0.0.1:4566)`, naming at most two. */
export function nonAwsText(source: NonNullable<PdfModel['dataSource']>): string {
  const endpoints = nonAwsEndpoints(source);
  if (endpoints.length === 0) return 'an endpoint recorded as not AWS';
  const shown = endpoints.slice(0, 2).join(', ');
  return `${endpoints.length === 1 ? 'a non-AWS endpoint' : 'non-AWS endpoints'} (${shown}${endpoints.length > 2 ? ` and ${endpoints.length - 2} more` : ''})`;
}
