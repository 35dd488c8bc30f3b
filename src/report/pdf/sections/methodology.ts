/** Methodology: how the scan works, eligibility, the policy values used, the read role, the API calls made. */
import { formatInt } from '../../text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable } from '../table.js';
import { SIZE } from '../theme.js';

export function drawMethodology(pdf: Pdf, model: PdfModel): void {
  const { header } = model;
  const p = header.parameters;
  pdf.startSection('Methodology');
  pdf.blocks(model.templates.text.methodology);

  pdf.heading('Policy and scan parameters used', 2);
  pdf.keyValues([
    ['Maximum rotation period', `${p.maxRotationDays} days`],
    ['Disabled keys', p.evaluateDisabled ? 'judged like enabled keys (--evaluate-disabled)' : 'not applicable'],
    ['Accounts', p.accounts ? p.accounts.join(', ') : p.useOrganizations ? 'every account of the organization' : 'as listed'],
    ['Organizational units', p.ous ? p.ous.join(', ') : 'no OU filter'],
    ['Excluded accounts', p.excludeAccounts.length ? p.excludeAccounts.join(', ') : 'none'],
    ['Regions', Array.isArray(p.regions) ? p.regions.join(', ') : 'every region enabled in each account'],
    ['Read role', p.roleArnTemplate ?? p.roleName ?? 'base credentials only'],
    ['Role session', `${p.roleSessionName}, ${p.sessionDurationSeconds} s${p.externalIdSet ? ', external id set' : ''}`],
    ['Concurrency', `${p.concurrency} AWS requests in flight at most`],
    ['Home region', p.homeRegion],
    ['Shard', p.shard ? `${p.shard.index + 1} of ${p.shard.count}` : 'none (whole scope)'],
    ['Run complete', header.complete ? 'yes' : 'no: the run was cut short or is one shard'],
  ], 150, SIZE.small + 0.5);

  const calls = Object.entries(header.apiCalls).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (calls.length === 0) {
    pdf.heading('AWS API calls made', 2);
    pdf.paragraph('The results document records no API call counts.');
    return;
  }
  const total = calls.reduce((s, [, n]) => s + n, 0);
  drawHeadedTable(
    pdf,
    'AWS API calls made',
    [{ header: 'Operation', weight: 4 }, { header: 'Calls', weight: 1, align: 'right' }],
    [...calls.map(([op, n]) => [op, formatInt(n)]), [{ text: 'Total', font: 'bold' as const }, { text: formatInt(total), font: 'bold' as const }]],
    { size: SIZE.small },
  );
  pdf.paragraph('Every call above is a read (List, Describe, Get) or sts:AssumeRole; the scan makes no change in any account.', { size: SIZE.small });
}
