/**
 * Sign-off and contents (page 2): the attestation (templates/report/text.yaml `signOff`), who prepared,
 * reviewed and approved the report (--prepared-by, --reviewed-by, --approved-by, or the config file;
 * blank lines to sign by hand when absent), and the printed table of contents, filled in by the layout
 * once every page is known (Pdf.reserveContents).
 */
import type { SignOffEntry } from '../../../config/sign-off.js';
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';
import { COLOUR, SIZE } from '../theme.js';

export const SIGN_OFF_ROWS = [
  ['preparedBy', 'Prepared by'],
  ['reviewedBy', 'Reviewed by'],
  ['approvedBy', 'Approved by'],
] as const;

/** `Jane Doe, Head of Internal Audit, 2026-12-08`, or null when nobody is named. */
export function signOffText(entry: SignOffEntry | null): string | null {
  return entry ? [entry.name, entry.role, entry.date ?? 'date to be entered'].join(', ') : null;
}

export function drawSignOff(pdf: Pdf, model: PdfModel): void {
  pdf.startSection('Sign-off and contents');
  pdf.blocks(model.templates.text.signOff);
  pdf.y += 4;

  // Name, role, date and signature columns; a value sits on its line, an absent one leaves the line blank.
  const columns = [
    { header: '', width: 0.17 },
    { header: 'Name', width: 0.25 },
    { header: 'Role', width: 0.25 },
    { header: 'Date', width: 0.13 },
    { header: 'Signature', width: 0.2 },
  ];
  const xs: number[] = [];
  let x = pdf.left;
  for (const column of columns) {
    xs.push(x);
    x += column.width * pdf.width;
  }
  const rowHeight = 40;
  pdf.ensure(rowHeight * 3 + 20);
  const headerY = pdf.y;
  pdf.tag('P', () => {
    pdf.use('bold', SIZE.small, COLOUR.muted);
    columns.forEach((column, i) => column.header && pdf.text(column.header, xs[i]!, headerY, { lineBreak: false }));
  });
  let y = headerY + 12;
  const lines: [number, number, number][] = [];
  for (const [key, label] of SIGN_OFF_ROWS) {
    const entry = model.signOff[key];
    const rowY = y;
    const values = [entry?.name ?? '', entry?.role ?? '', entry?.date ?? '', ''];
    pdf.tag('P', () => {
      pdf.use('bold', SIZE.body);
      pdf.text(label, xs[0]!, rowY + rowHeight - 22, { lineBreak: false });
      pdf.use('body', SIZE.body);
      values.forEach((value, i) => {
        if (value) pdf.text(value, xs[i + 1]!, rowY + rowHeight - 22, { width: columns[i + 1]!.width * pdf.width - 8, height: 24, ellipsis: true });
      });
    });
    for (let i = 1; i < columns.length; i++) lines.push([xs[i]!, xs[i]! + columns[i]!.width * pdf.width - 8, rowY + rowHeight - 8]);
    y += rowHeight;
  }
  pdf.artifact(() => {
    for (const [x1, x2, ly] of lines) pdf.doc.moveTo(x1, ly).lineTo(x2, ly).lineWidth(0.6).strokeColor(COLOUR.rule).stroke();
  });
  pdf.y = y + 8;
  const absent = SIGN_OFF_ROWS.filter(([key]) => model.signOff[key] === null).map(([, label]) => label.toLowerCase());
  if (absent.length) {
    pdf.paragraph(`No one was named as ${absent.join(', ')} when this report was rendered (--prepared-by, --reviewed-by, --approved-by): sign on the lines above, or render it again with the names (${model.header.toolName} report --from results.json --reviewed-by "Name, Role, YYYY-MM-DD").`, { size: SIZE.small, colour: COLOUR.muted });
  }

  pdf.heading('Contents', 2, 120);
  pdf.reserveContents();
}
