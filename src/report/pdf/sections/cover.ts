/** Cover: who, what, when, scope, and the overall result at a glance. */
import { formatInt, displayUtc, plural } from '../../text.js';
import type { Pdf } from '../layout.js';
import { overallStatus, type PdfModel } from '../model.js';
import { reportingPeriod } from '../period.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE } from '../theme.js';

export function drawCover(pdf: Pdf, model: PdfModel): void {
  const { header, templates, summary, coverage } = model;
  const brand = templates.branding;
  pdf.startSection('Cover', { heading: false });
  const doc = pdf.doc;

  let top = pdf.top + 4;
  if (brand.logoImage) {
    const logo = brand.logoImage;
    pdf.tag('Figure', () => doc.image(logo, pdf.left, top, { fit: [52, 52] }), { alt: `${brand.companyName} logo` });
  }
  const textX = pdf.left + (brand.logoImage ? 66 : 0);
  pdf.tag('P', () => {
    pdf.use('bold', 15);
    pdf.text(brand.companyName, textX, top + 8, { width: pdf.right - textX });
    pdf.use('body', SIZE.body, COLOUR.muted);
    pdf.text(brand.preparedBy, textX, doc.y + 2, { width: pdf.right - textX });
  });

  top += 120;
  pdf.y = top;
  pdf.tag('H1', () => {
    pdf.use('bold', SIZE.title, brand.accentColor);
    pdf.text(brand.reportTitle, pdf.left, top, { width: pdf.width });
  });
  pdf.y += 4;
  pdf.paragraph(brand.reportSubtitle, { size: 12, colour: COLOUR.muted, gap: 18 });

  const status = overallStatus(model);
  const banner = model.controls.length === 0 ? 'No framework selected' : `Overall control status: ${status.toUpperCase()}`;
  const detail = [
    `${plural(summary.keys, 'key')} evaluated`,
    `${formatInt(summary.counts.FAIL)} FAIL`,
    `${formatInt(summary.counts.ERROR)} ERROR`,
    `${formatInt(summary.counts.EXCEPTION)} EXCEPTION`,
    `${formatInt(summary.counts.PASS)} PASS`,
    `${formatInt(summary.counts.NOT_APPLICABLE)} not applicable`,
  ].join(' · ');
  const by = pdf.y;
  pdf.artifact(() => {
    doc.rect(pdf.left, by, pdf.width, 46).fill(COLOUR.zebra);
    doc.rect(pdf.left, by, 5, 46).fill(CONTROL_STATUS_COLOUR[status]);
  });
  pdf.tag('P', () => {
    pdf.use('bold', 13, CONTROL_STATUS_COLOUR[status]);
    pdf.text(banner, pdf.left + 16, by + 8, { width: pdf.width - 24 });
    pdf.use('body', SIZE.body);
    pdf.text(detail, pdf.left + 16, by + 27, { width: pdf.width - 24 });
  });
  pdf.y = by + 58;
  if (!coverage.runComplete) {
    pdf.note('This run did not finish (or is one shard of a larger scan): the results cover only what was collected, and no control can be reported as met.', '#FDECEA', CONTROL_STATUS_COLOUR['not met']);
  }

  const p = header.parameters;
  const accountsScope = `${formatInt(coverage.accounts.total || header.summary.accountsInScope)} in scope: ${formatInt(coverage.accounts.scanned)} scanned, ${formatInt(coverage.accounts.error)} not accessible, ${formatInt(coverage.accounts.skipped)} skipped`;
  const filters = [
    p.accounts ? `accounts ${listShort(p.accounts)}` : null,
    p.ous ? `OUs ${listShort(p.ous)}` : null,
    p.excludeAccounts.length ? `excluding ${listShort(p.excludeAccounts)}` : null,
    p.shard ? `shard ${p.shard.index + 1} of ${p.shard.count}` : null,
  ].filter((x): x is string => x !== null);
  const regions = Array.isArray(p.regions) ? listShort(p.regions, 12) : `all regions enabled in each account (${formatInt(coverage.regionNames.length)} distinct: ${listShort(coverage.regionNames, 12)})`;
  pdf.keyValues([
    ['Organization', header.organizationId ?? 'not part of an organization / not read'],
    ['Management account', header.managementAccountId ?? 'unknown'],
    ['Scan id', header.scanId],
    ['Reporting period', reportingPeriod(brand.reportingPeriod, header.startedAt, header.finishedAt)],
    ['Snapshot time', `${displayUtc(header.finishedAt)} (scan ran ${displayUtc(header.startedAt)} to ${displayUtc(header.finishedAt)})`],
    ['Accounts', accountsScope + (filters.length ? `; filters: ${filters.join('; ')}` : '')],
    ['Regions', regions],
    ['Read role', `${p.roleArnTemplate ?? p.roleName ?? 'base credentials only'}${p.externalIdSet ? ' (with external id)' : ''}`],
    ['Run as', header.callerIdentity?.arn ?? 'unknown'],
    ['Policy', `rotation at least every ${p.maxRotationDays} days; disabled keys ${p.evaluateDisabled ? 'evaluated' : 'not applicable'}`],
    ['Frameworks', model.selection.frameworks.map((f) => f.versionLabel).join('; ') || 'none selected'],
    ['Tool', `${header.toolName} ${header.toolVersion} (AWS partition ${header.partition})`],
    ['Prepared by', brand.preparedBy],
    ['Distribution', brand.distribution],
    ['Classification', brand.classification || 'none'],
  ], 130);
  pdf.blocks(templates.text.cover);
}

function listShort(values: readonly string[], max = 8): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}
