/**
 * Methodology: how the scan works, which keys the rule applies to, the permissions this run used
 * (made from the operations it called, header.apiCalls, with src/aws/operations.ts), what "in scope"
 * means, the policy and parameters, whether the run finished and whether coverage was complete (two
 * different things), and the API calls made.
 */
import { OPERATION_BY_NAME, type OperationCaller } from '../../../aws/operations.js';
import { coverageVerdict, IN_SCOPE_DEFINITION } from '../../coverage.js';
import { formatInt } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { drawHeadedTable } from '../table.js';
import { SIZE } from '../theme.js';

const CALLER_TEXT: Record<OperationCaller | 'unknown', string> = {
  reader: 'The read role in each member account (and the scanning identity in its own account):',
  scanner: 'The scanning identity in the management account:',
  none: 'Needing no permission:',
  unknown: 'Other operations recorded in the results (not known to this tool version):',
};

/** The operations a run called, grouped by who needs the permission, in the order of CALLER_TEXT. */
export function permissionsUsed(apiCalls: Record<string, number>): { caller: OperationCaller | 'unknown'; operations: string[] }[] {
  const groups = new Map<OperationCaller | 'unknown', string[]>();
  for (const [operation, calls] of Object.entries(apiCalls).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (calls <= 0) continue;
    const caller = OPERATION_BY_NAME.get(operation)?.caller ?? 'unknown';
    groups.set(caller, [...(groups.get(caller) ?? []), operation]);
  }
  return (Object.keys(CALLER_TEXT) as (OperationCaller | 'unknown')[]).filter((c) => groups.has(c)).map((caller) => ({ caller, operations: groups.get(caller)! }));
}

export function drawMethodology(pdf: Pdf, model: PdfModel): void {
  const { header } = model;
  const p = header.parameters;
  pdf.startSection('Methodology');
  pdf.blocks(model.templates.text.methodology);
  const used = permissionsUsed(header.apiCalls);
  if (used.length === 0) pdf.paragraph('The results document records no API calls: the permissions this run used cannot be listed.', { font: 'bold' });
  else pdf.bullets(used.map(({ caller, operations }) => `${CALLER_TEXT[caller]} ${operations.map((op) => `${op} (${OPERATION_BY_NAME.get(op)?.purpose ?? 'recorded by the scan'})`).join('; ')}.`));

  pdf.heading('Scope', 2);
  pdf.paragraph(IN_SCOPE_DEFINITION);

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
    // Two different facts: a run can finish with gaps, and an unfinished run cannot be complete.
    ['Run finished', header.complete ? 'yes: every account in scope was attempted' : 'no: the run was cut short or is one shard'],
    ['Coverage', coverageVerdict(model.coverage, model.summary.counts)],
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
  pdf.paragraph('Every call above is a read (List, Describe, Get) or sts:AssumeRole; the scan makes no change in any account. Calls are counted per attempt, retries included.', { size: SIZE.small });
}
