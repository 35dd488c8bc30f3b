/**
 * The findings exports of a report folder: findings.ocsf.json, findings.asff.json and
 * report.html. They read the results document only, streaming its keys once.
 */
import { join } from 'node:path';
import type { FrameworkSelection } from '../../frameworks/index.js';
import type { KeyResult, ResultsHeader } from '../../core/results.js';
import { asffFinding, ASFF_FILE } from './asff.js';
import { JsonArrayWriter } from './json-array.js';
import { ocsfRecord, OCSF_FILE } from './ocsf.js';
import { HtmlReportWriter, HTML_FILE } from './html.js';
import type { ControlLine } from '../controls.js';
import type { CoverageSummary } from '../coverage.js';

export { ASFF_FILE } from './asff.js';
export { OCSF_FILE } from './ocsf.js';
export { HTML_FILE } from './html.js';

export interface FindingExportsInput {
  outDir: string;
  header: ResultsHeader;
  frameworks: FrameworkSelection;
  keys: () => AsyncIterable<KeyResult>;
  coverage: CoverageSummary;
  controls: readonly ControlLine[];
}

/** Writes the export files into outDir; returns their names with the role the PDF's evidence list shows. */
export async function writeFindingExports(input: FindingExportsInput): Promise<{ name: string; role: string }[]> {
  const { header } = input;
  const frameworks = input.frameworks.frameworks;
  const ocsf = JsonArrayWriter.open(join(input.outDir, OCSF_FILE));
  const asff = JsonArrayWriter.open(join(input.outDir, ASFF_FILE));
  const html = HtmlReportWriter.open(join(input.outDir, HTML_FILE), { header, coverage: input.coverage, controls: input.controls });
  // ProductArn of the file: the scanning account in the scan's home region (publish uses its own target).
  const asffCtx = { header, frameworks, productAccountId: header.callerIdentity?.account ?? header.managementAccountId ?? '000000000000', productRegion: header.parameters.homeRegion };
  try {
    for await (const key of input.keys()) {
      await ocsf.write(ocsfRecord(key, { header, frameworks }));
      await asff.write(asffFinding(key, asffCtx));
      await html.write(key);
    }
    await ocsf.close();
    await asff.close();
    await html.close();
  } catch (err) {
    await ocsf.abort();
    await asff.abort();
    await html.abort();
    throw err;
  }
  return [
    { name: OCSF_FILE, role: 'every key as an OCSF 1.3.0 Compliance Finding' },
    { name: ASFF_FILE, role: 'every key as an AWS Security Finding (ASFF)' },
    { name: HTML_FILE, role: 'browsable report: summary, coverage, every key (offline)' },
  ];
}
