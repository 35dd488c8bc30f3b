/** Remediation guidance (console, CLI, CloudFormation, Terraform), worded in templates/report/text.yaml. */
import type { Pdf } from '../layout.js';
import type { PdfModel } from '../model.js';

export function drawRemediation(pdf: Pdf, model: PdfModel): void {
  pdf.startSection('Remediation guidance');
  pdf.blocks(model.templates.text.remediation);
}
