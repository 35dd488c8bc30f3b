/**
 * controls.csv: one row per control of each selected framework, with a status decided as follows
 * (also stated in the PDF and templates/report/data-dictionary.md):
 *   not met       any key FAIL;
 *   not assessed  no FAIL, but a key could not be checked (ERROR), or coverage has gaps (an account or
 *                 account-region in error, or the run did not finish), or there is no applicable key;
 *   met           otherwise: every applicable key PASS or EXCEPTION, coverage complete.
 * EXCEPTION counts toward met: an approved exception is an accepted, documented deviation.
 */
import type { FrameworkSelection, SelectedControl, SelectedFramework } from '../frameworks/index.js';
import type { StatusCounts } from '../results/types.js';
import type { CoverageSummary } from './coverage.js';
import type { Cell } from './findings.js';
import { plural } from './text.js';

export const CONTROLS_COLUMNS = [
  'framework', 'version', 'control_id', 'title', 'status', 'pass', 'fail', 'exception', 'error', 'not_applicable', 'status_basis', 'confidence',
] as const;

export type ControlStatus = 'met' | 'not met' | 'not assessed';

export interface ControlAssessment {
  status: ControlStatus;
  /** Why, in one sentence. */
  basis: string;
}

export function assessControl(counts: StatusCounts, coverage: CoverageSummary): ControlAssessment {
  if (counts.FAIL > 0) return { status: 'not met', basis: `${plural(counts.FAIL, 'key')} FAIL` };
  if (counts.ERROR > 0) return { status: 'not assessed', basis: `no FAIL, but ${plural(counts.ERROR, 'key')} could not be checked (ERROR)` };
  if (!coverage.runComplete) return { status: 'not assessed', basis: 'no FAIL, but the run did not finish (results are partial)' };
  if (coverage.gaps > 0) {
    const parts = [];
    if (coverage.accounts.error) parts.push(plural(coverage.accounts.error, 'account'));
    if (coverage.regions.error) parts.push(plural(coverage.regions.error, 'account-region'));
    return { status: 'not assessed', basis: `no FAIL, but ${parts.join(' and ')} could not be scanned` };
  }
  const applicable = counts.PASS + counts.EXCEPTION;
  if (applicable === 0) return { status: 'not assessed', basis: 'no applicable keys in scope' };
  const exceptions = counts.EXCEPTION ? ` (${plural(counts.EXCEPTION, 'approved exception')})` : '';
  return { status: 'met', basis: `all ${plural(applicable, 'applicable key')} PASS or EXCEPTION${exceptions}; coverage complete` };
}

export interface ControlLine {
  framework: SelectedFramework;
  control: SelectedControl;
  counts: StatusCounts;
  assessment: ControlAssessment;
}

/** Every key of the framework's rule evidences each of its controls, so the counts are the rule's counts. */
export function controlLines(selection: FrameworkSelection, countsByRule: (rule: string) => StatusCounts, coverage: CoverageSummary): ControlLine[] {
  return selection.frameworks.flatMap((framework) => {
    const counts = countsByRule(framework.rule);
    const assessment = assessControl(counts, coverage);
    return framework.controls.map((control) => ({ framework, control, counts, assessment }));
  });
}

export function controlRow(line: ControlLine): Cell[] {
  const { framework, control, counts, assessment } = line;
  return [
    framework.name, framework.version, control.id, control.title, assessment.status,
    counts.PASS, counts.FAIL, counts.EXCEPTION, counts.ERROR, counts.NOT_APPLICABLE, assessment.basis, control.confidence,
  ];
}
