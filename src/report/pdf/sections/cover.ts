/**
 * Cover: who, what, when (to the second, and what a point-in-time test shows), over which population,
 * what could not be assessed, the overall result, who signed it off; and, before anything else, why
 * the document may not be evidence (data from a non-AWS endpoint, a tampering finding, an unfinished run).
 */
import { notAssessed } from '../../coverage.js';
import { displayUtcSeconds, formatInt, plural } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import { overallStatus, type PdfModel } from '../model.js';
import { COLOUR, CONTROL_STATUS_COLOUR, SIZE, STATUS_COLOUR } from '../theme.js';
import { SIGN_OFF_ROWS, signOffText } from './sign-off.js';
import type { Branding } from '../../templates.js';
import { nonAwsText } from '../../not-evidence.js';

const ALERT_FILL = '#FDECEA';

export function drawCover(pdf: Pdf, model: PdfModel): void {
  const { templates } = model;
  pdf.startSection('Cover', { heading: false });
  drawTitle(pdf, templates.branding);
  drawBanner(pdf, model);
  drawAlerts(pdf, model);
  pdf.keyValues(coverFacts(model), 105, SIZE.small + 0.5);
  pdf.blocks(templates.text.pointInTime);
  pdf.blocks(templates.text.cover);
}

/** The logo, company and preparer, then the report's title and subtitle. */
function drawTitle(pdf: Pdf, brand: Branding): void {
  const doc = pdf.doc;
  let top = pdf.top;
  if (brand.logoImage) {
    const logo = brand.logoImage;
    pdf.tag('Figure', () => doc.image(logo, pdf.left, top, { fit: [44, 44] }), { alt: `${brand.companyName} logo` });
  }
  const textX = pdf.left + (brand.logoImage ? 56 : 0);
  pdf.tag('P', () => {
    pdf.use('bold', 14);
    pdf.text(brand.companyName, textX, top + 6, { width: pdf.right - textX });
    pdf.use('body', SIZE.body, COLOUR.muted);
    pdf.text(brand.preparedBy, textX, doc.y + 1, { width: pdf.right - textX });
  });

  top += 64;
  pdf.y = top;
  pdf.tag('H1', () => {
    pdf.use('bold', SIZE.title - 2, brand.accentColor);
    pdf.text(brand.reportTitle, pdf.left, top, { width: pdf.width });
  });
  pdf.y += 2;
  pdf.paragraph(brand.reportSubtitle, { size: 11.5, colour: COLOUR.muted, gap: 12 });
}

/** Who, what, when, over which population, from which data, who signed it off. */
function coverFacts(model: PdfModel): [string, string][] {
  const { header } = model;
  const p = header.parameters;
  const period = model.period
    ? `${model.period.period.label}: ${plural(model.period.runs.length + 1, 'finished run')} in this period in the reports root, this one included (listed in the executive summary)`
    : null;
  return [
    ['Snapshot time', `${displayUtcSeconds(header.finishedAt)} (the scan ran from ${displayUtcSeconds(header.startedAt)})`],
    ...(period ? [['Reporting period', period] as [string, string]] : []),
    ['Organization', `${header.organizationId ?? 'not part of an organization / not read'}${header.managementAccountId ? `, management account ${header.managementAccountId}` : ''}`],
    ['Accounts', accountsText(model)],
    ['Regions', regionsText(model)],
    ['Keys', `${plural(model.summary.keys, 'key')} found`],
    ['Data source', dataSourceText(model)],
    ['Run as', `${header.callerIdentity?.arn ?? 'unknown'}; read role ${p.roleArnTemplate ?? p.roleName ?? 'none (base credentials only)'}${p.externalIdSet ? ' (with external id)' : ''}`],
    ['Policy', `rotation at least every ${p.maxRotationDays} days; disabled keys ${p.evaluateDisabled ? 'judged' : 'not applicable'}`],
    ['Frameworks', model.selection.frameworks.map((f) => f.versionLabel).join('; ') || 'none selected'],
    ['Scan id', `${header.scanId} (${header.toolName} ${header.toolVersion}, AWS partition ${header.partition})`],
    ...SIGN_OFF_ROWS.map(([key, label]): [string, string] => [label, signOffText(model.signOff[key]) ?? 'not named: see Sign-off (page 2)']),
    ['Distribution', model.templates.branding.distribution],
  ];
}

/** Accounts in scope and what became of them, with the scan's filters. */
function accountsText(model: PdfModel): string {
  const { coverage } = model;
  const p = model.header.parameters;
  const filters = [
    p.accounts ? `accounts ${listShort(p.accounts)}` : null,
    p.ous ? `OUs ${listShort(p.ous)}` : null,
    p.excludeAccounts.length ? `excluding ${listShort(p.excludeAccounts)}` : null,
    p.shard ? `shard ${p.shard.index + 1} of ${p.shard.count}` : null,
  ].filter((x): x is string => x !== null);
  return `${formatInt(coverage.accounts.total)} in scope: ${formatInt(coverage.accounts.scanned)} scanned, ${formatInt(coverage.accounts.error)} not accessible, ${formatInt(coverage.accounts.skipped)} skipped (not ACTIVE)${filters.length ? `; filters: ${filters.join('; ')}` : ''}`;
}

function regionsText(model: PdfModel): string {
  const { coverage } = model;
  const regions = model.header.parameters.regions;
  return `${Array.isArray(regions) ? listShort(regions, 12) : `every region enabled in each account (${formatInt(coverage.regionNames.length)} distinct)`}; ${plural(coverage.regions.total, 'account-region')} listed: ${formatInt(coverage.regions.scanned)} scanned, ${formatInt(coverage.regions.notEnabled)} not enabled (not accessible to the scan), ${formatInt(coverage.regions.error)} failed`;
}

/** Overall control status, the coverage verdict on the line below it, then the counts. */
function drawBanner(pdf: Pdf, model: PdfModel): void {
  const { summary, coverage } = model;
  const doc = pdf.doc;
  const status = overallStatus(model);
  const gaps = notAssessed(coverage, summary.counts);
  const banner = model.controls.length === 0 ? 'No framework selected' : `Overall control status: ${status.toUpperCase()}`;
  const coverageLine = gaps.length === 0 ? 'Coverage COMPLETE: every account and account-region in scope was assessed and every key found was checked.' : `Coverage INCOMPLETE: not assessed: ${gaps.join(', ')}.`;
  const detail = [
    `${formatInt(summary.counts.FAIL)} FAIL`,
    `${formatInt(summary.counts.ERROR)} ERROR`,
    `${formatInt(summary.counts.EXCEPTION)} EXCEPTION`,
    `${formatInt(summary.counts.PASS)} PASS`,
    summary.replicasCounted ? `${formatInt(summary.replicasCounted)} multi-Region replicas counted with their primary` : null,
    `${formatInt(summary.awsManaged)} AWS managed (rotated by AWS)`,
    `${formatInt(summary.setCounts.NOT_APPLICABLE - summary.awsManaged)} other not applicable`,
  ].filter((x): x is string => x !== null).join(' · ');
  const width = pdf.width - 24;
  const height = 10 + 17 + pdf.measure(coverageLine, 'bold', SIZE.body, width) + 3 + pdf.measure(detail, 'body', SIZE.small + 0.5, width) + 9;
  const by = pdf.y;
  pdf.artifact(() => {
    doc.rect(pdf.left, by, pdf.width, height).fill(COLOUR.zebra);
    doc.rect(pdf.left, by, 5, height).fill(CONTROL_STATUS_COLOUR[status]);
  });
  pdf.tag('P', () => {
    pdf.use('bold', 13, CONTROL_STATUS_COLOUR[status]);
    pdf.text(banner, pdf.left + 16, by + 8, { width });
    pdf.use('bold', SIZE.body, gaps.length ? STATUS_COLOUR.ERROR : STATUS_COLOUR.PASS);
    pdf.text(coverageLine, pdf.left + 16, by + 27, { width });
    pdf.use('body', SIZE.small + 0.5);
    pdf.text(detail, pdf.left + 16, doc.y + 3, { width });
  });
  pdf.y = by + height + 10;
}

/** Why the document may not be relied on, each in a red box: not AWS data, tampering, an unfinished run. */
function drawAlerts(pdf: Pdf, model: PdfModel): void {
  const red = CONTROL_STATUS_COLOUR['not met'];
  if (model.dataSource?.nonAws) {
    pdf.note(`NOT EVIDENCE. The data of this report came from ${nonAwsText(model.dataSource)}, not from AWS: a simulator or emulator. Every page is stamped; manifest.json records the endpoints (scan.dataSource). Do not rely on it as evidence about an AWS organization.`, ALERT_FILL, red);
  }
  const rejudge = model.evidence?.rejudge;
  if (rejudge && rejudge.disagreements > 0) {
    pdf.note(`TAMPERING FINDING. ${formatInt(rejudge.disagreements)} of ${plural(rejudge.keys, 'key')} ${rejudge.disagreements === 1 ? 'carries' : 'carry'} a status that their own recorded facts do not give: results.json was edited after the scan. This report was rendered anyway (--allow-tampered) and its counts are the stored, disputed ones; the integrity appendix names the keys.`, ALERT_FILL, red);
  }
  if (!model.coverage.runComplete) {
    pdf.note('This run did not finish (or is one shard of a larger scan): the results cover only what was collected, and no control can be reported as met.', ALERT_FILL, red);
  }
}

function dataSourceText(model: PdfModel): string {
  const source = model.dataSource;
  if (!source) return 'not recorded (results written before the data source was recorded)';
  if (source.nonAws) return `NOT AWS: ${nonAwsText(source)}`;
  const regions = source.endpoints.length;
  return `AWS endpoints only (${plural(regions, 'endpoint')}, e.g. ${listShort(source.endpoints.map((e) => e.replace(/^https:\/\//, '')), 2)}; all in manifest.json)`;
}

function listShort(values: readonly string[], max = 8): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}
