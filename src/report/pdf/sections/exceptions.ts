/**
 * Exceptions register: every entry the scan applied (in force, expiring, expired, unused), the keys each
 * entry matched and how they are reported, then the EXCEPTION keys. Always present, so an auditor never
 * has to wonder whether exceptions exist: without a register it says so in one line.
 */
import type { ExceptionsSummary, ExceptionSummaryEntry } from '../../../exceptions/index.js';
import { isWildcardScope, scopeText, wildcardReach } from '../../../exceptions/scope.js';
import { compareKeys } from '../../../core/results.js';
import { displayUtc, formatInt, plural } from '../../../core/text.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { daysLeft } from '../../../exceptions/summary.js';
import { drawHeadedTable, type Cell, type Column, type Row } from '../table.js';
import { COLOUR, SIZE, STATUS_COLOUR } from '../theme.js';
import { accountCell, keyCell, omitted } from './findings.js';

/** Keys listed per entry, and in all, before the PDF refers to exceptions.csv. */
const KEYS_PER_ENTRY = 25;
const MAX_KEY_ROWS = 500;
/** Values of one scope kind shown before "and N more". */
const SCOPE_VALUES = 6;

const UNUSED_COLOUR = '#6A1B9A';

const WILDCARD_COLOUR = '#B45309';

const ENTRY_COLUMNS: Column[] = [
  // Points of the landscape body width (742): ids, e-mail addresses and dates fit on one line.
  { header: 'Exception', weight: 64 },
  { header: 'Scope', weight: 150 },
  { header: 'Reason and compensating control', weight: 130 },
  { header: 'Approval and risk owner', weight: 122 },
  { header: 'Ticket', weight: 50 },
  { header: 'Created', weight: 48 },
  { header: 'Expires', weight: 48 },
  { header: 'State', weight: 60 },
  { header: 'Keys covered', weight: 70 },
];

const MATCHED_COLUMNS: Column[] = [
  { header: 'Exception', weight: 80 },
  { header: 'Account', weight: 80 },
  { header: 'Region', weight: 70 },
  { header: 'Key id and aliases', weight: 300 },
  { header: 'Reported as', weight: 212 },
];

export function drawExceptionsRegister(pdf: Pdf, model: PdfModel): void {
  const register = model.exceptions;
  const { summary } = model;
  // Without a register (and so, usually, without EXCEPTION keys) the section is one line: it follows the
  // failing keys on their page instead of taking a page of its own.
  pdf.startSection('Exceptions register', register || summary.counts.EXCEPTION > 0 ? { orientation: 'landscape' } : { newPage: false });
  if (!register) {
    pdf.paragraph('No exceptions register was used for this scan.', { font: 'bold' });
    if (summary.counts.EXCEPTION > 0) {
      pdf.paragraph(`The results nevertheless mark ${plural(summary.counts.EXCEPTION, 'key')} EXCEPTION (listed below with the identifier each carries); no register entry in this document backs them.`);
      drawExceptionKeys(pdf, model);
    }
    return;
  }
  pdf.blocks(model.templates.text.exceptions);
  drawRegisterFacts(pdf, register);
  const expired = register.entries.filter((e) => e.state === 'expired' && e.keysCovered > 0);
  if (expired.length) {
    pdf.note(
      `Expired: ${expired.map((e) => `${e.id} (expired ${e.expires}) matched ${plural(e.keysCovered, 'failing key')}`).join('; ')}. These keys stay FAIL: they are listed with the failing keys, and their reason names the expired entry.`,
      '#FDECEA',
      STATUS_COLOUR.FAIL,
    );
  }

  if (register.entries.length === 0) {
    pdf.heading('Register entries', 2);
    pdf.paragraph('The register has no entries.', { colour: COLOUR.muted });
  } else {
    drawWildcardNote(pdf, register);
    const rows = register.entries.map((entry): Row => [
      { text: entry.id, font: 'bold' },
      scopeCell(entry),
      entry.compensatingControl ? `${entry.reason}\nCompensating control: ${entry.compensatingControl}` : entry.reason,
      approvalText(entry),
      entry.ticket,
      entry.created,
      entry.expires,
      stateCell(entry, register),
      coveredCell(entry),
    ]);
    const style = { fullTextIn: 'exceptions.csv' };
    drawHeadedTable(pdf, 'Register entries', ENTRY_COLUMNS, rows, style);
  }
  drawMatchedKeys(pdf, model, register);
  pdf.paragraph('EXCEPTION keys count toward a control being met; the EXC. column of each framework in the control mapping gives their number per control.', { size: SIZE.small, colour: COLOUR.muted });
}

function drawRegisterFacts(pdf: Pdf, register: ExceptionsSummary): void {
  const c = register.counts;
  pdf.keyValues(
    [
      ['Register file', registerFile(register)],
      ['Applied at', displayUtc(register.evaluatedAt)],
      [
        'Entries',
        `${formatInt(c.entries)}: ${formatInt(c.active)} active, ${formatInt(c.expiringSoon)} expiring within ${register.expiringSoonDays} days, ${formatInt(c.expired)} expired; ${formatInt(c.unused)} unused (matched no failing key)`,
      ],
      ['Keys made EXCEPTION', `${formatInt(c.keysCovered)} (failing keys matched by an entry in force)`],
      ['Longest validity allowed', `${formatInt(register.maxDays)} days from created (and from approved, when given) to expires`],
    ],
    150,
    SIZE.small + 0.5,
  );
}

/**
 * The register by the name it was given and the SHA-256 of the bytes the scan applied (never a path:
 * the folder belonged to the machine that ran the scan). Results written before the digest was
 * recorded say so.
 */
function registerFile(register: ExceptionsSummary): string {
  const name = register.file?.name ?? register.source.split(/[\\/]/).pop() ?? register.source;
  if (!register.file) return `${name} (no digest recorded: these results were written before the register's SHA-256 was kept)`;
  return `${name}, ${formatInt(register.file.bytes)} bytes, SHA-256 ${register.file.sha256} (the bytes the scan applied)`;
}

/** "accounts: 1111…\naliases: alias/legacy-*", each kind capped; a wildcard scope says so first. */
function scopeCell(entry: ExceptionSummaryEntry): string | Cell {
  const scope = scopeText(entry.scope, SCOPE_VALUES, '\n');
  if (!isWildcardScope(entry.scope)) return scope;
  return { text: `WILDCARD: also covers keys added later\n${scope}`, colour: WILDCARD_COLOUR };
}

function approvalText(entry: ExceptionSummaryEntry): string {
  return [
    entry.approver,
    entry.approved ? `approved ${entry.approved}` : 'approval date not recorded',
    entry.riskOwner ? `risk owner: ${entry.riskOwner}` : 'risk owner not recorded',
  ].join('\n');
}

/**
 * Entries whose scope does not name its keys will also cover keys created, moved, re-aliased or
 * re-tagged later, without anyone approving them: named here with what makes each one a wildcard
 * and how many failing keys it covers now (the keys are listed below and in exceptions.csv).
 */
function drawWildcardNote(pdf: Pdf, register: ExceptionsSummary): void {
  const wildcards = register.entries.filter((entry) => isWildcardScope(entry.scope));
  if (wildcards.length === 0) return;
  const each = wildcards.map((entry) => `${entry.id} (${wildcardReach(entry.scope)}) covers ${plural(entry.keysCovered, 'failing key')} now`);
  pdf.note(
    `Wildcard scopes: ${each.join('; ')}. These entries do not name their keys: any key that matches them later (a new key in the account, a key given a matching alias or tag) is covered without a new approval. The keys each covers now are listed under "Keys matched by register entries" and in exceptions.csv.`,
    '#FFF4E5',
    WILDCARD_COLOUR,
  );
}

function stateCell(entry: ExceptionSummaryEntry, register: ExceptionsSummary): Cell {
  const left = daysLeft(entry, register.evaluatedAt);
  if (entry.state === 'expired') return { text: `EXPIRED${left !== null ? `\n${plural(-left, 'day')} ago` : ''}`, colour: STATUS_COLOUR.FAIL, font: 'bold' };
  if (entry.state === 'expiring-soon') return { text: `EXPIRING${left !== null ? `\nin ${plural(left, 'day')}` : ` within ${register.expiringSoonDays} days`}`, colour: STATUS_COLOUR.EXCEPTION, font: 'bold' };
  return { text: 'active', colour: STATUS_COLOUR.PASS, font: 'bold' };
}

function coveredCell(entry: ExceptionSummaryEntry): Cell {
  const undecided = entry.tagsUndecided ? `\n${plural(entry.tagsUndecided, 'key')} undecided (tags not collected; stay FAIL)` : '';
  if (entry.unused) return { text: `UNUSED\nmatched no failing key${undecided}`, colour: UNUSED_COLOUR, font: 'bold' };
  const effect = entry.state === 'expired' ? 'stay FAIL' : 'EXCEPTION';
  return { text: `${plural(entry.keysCovered, 'key')}\n(${effect})${undecided}` };
}

/** The keys each entry matched, from the register summary's ARN lists, with aliases where this PDF has them. */
function drawMatchedKeys(pdf: Pdf, model: PdfModel, register: ExceptionsSummary): void {
  const used = register.entries.filter((e) => e.keysCovered > 0);
  if (used.length === 0) return;
  const aliases = new Map<string, string[]>();
  for (const row of [...model.summary.exceptionRows, ...model.summary.failingRows]) aliases.set(rowKey(row.accountId, row.region, row.keyId), row.aliases);
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const entry of used) {
    // The summary keeps ARNs in the order the scan met them; the report lists them in key order.
    const keys = entry.keyArns.map(arnParts).sort(compareKeys);
    const listed = keys.slice(0, Math.min(KEYS_PER_ENTRY, Math.max(0, MAX_KEY_ROWS - rows.length)));
    for (const { accountId, region, keyId } of listed) {
      const status = entry.state === 'expired'
        ? { text: `FAIL: the entry expired on ${entry.expires}`, colour: STATUS_COLOUR.FAIL, font: 'bold' as const }
        : { text: `EXCEPTION until ${entry.expires}`, colour: STATUS_COLOUR.EXCEPTION, font: 'bold' as const };
      rows.push([{ text: entry.id, font: 'bold' }, accountId, region, [keyId, ...(aliases.get(rowKey(accountId, region, keyId)) ?? [])].join('\n'), status]);
    }
    const rest = entry.keysCovered - listed.length;
    if (rest > 0) notes.push(`${entry.id}: ${formatInt(rest)} more`);
  }
  const style = { fullTextIn: 'exceptions.csv' };
  drawHeadedTable(pdf, 'Keys matched by register entries', MATCHED_COLUMNS, rows, style);
  if (notes.length) pdf.note(`Not listed here, to keep this document readable (${notes.join('; ')}): exceptions.csv lists every key each entry covers.`);
}

/** EXCEPTION keys from the results themselves (used when no register summary backs them). */
function drawExceptionKeys(pdf: Pdf, model: PdfModel): void {
  const { summary } = model;
  const columns: Column[] = [
    { header: 'Account', weight: 72 },
    { header: 'Region', weight: 62 },
    { header: 'Key id and aliases', weight: 170 },
    { header: 'Exception', weight: 80 },
    { header: 'Reason', weight: 358 },
  ];
  const rows = summary.exceptionRows.map((row): Row => [accountCell(row), row.region, keyCell(row), row.action.join(' ') || '—', row.reason]);
  const style = { maxCellLines: 10 };
  drawHeadedTable(pdf, 'Keys under an approved exception', columns, rows, style);
  omitted(pdf, summary.counts.EXCEPTION - summary.exceptionRows.length, 'EXCEPTION');
}

function rowKey(accountId: string, region: string, keyId: string): string {
  return `${accountId}|${region}|${keyId}`;
}

/** arn:<partition>:kms:<region>:<account>:key/<id> → its parts. */
function arnParts(arn: string): { accountId: string; region: string; keyId: string } {
  const [, , , region = '', accountId = '', resource = ''] = arn.split(':');
  return { accountId, region, keyId: resource.replace(/^key\//, '') || arn };
}
