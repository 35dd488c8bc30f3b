/**
 * controls.csv: one row per control of each selected framework, with a status decided as follows
 * (also stated in the PDF and templates/report/data-dictionary.md):
 *   not met       any key FAIL;
 *   not assessed  no FAIL, but a key could not be checked (ERROR), or coverage has gaps (an account or
 *                 account-region in error, or the run did not finish), or there is no applicable key;
 *   met           otherwise: every applicable key PASS or EXCEPTION, coverage complete.
 * EXCEPTION counts toward met: an approved exception is an accepted, documented deviation.
 * The basis always carries the coverage verdict ("145 keys FAIL; coverage incomplete: 1 account,
 * 1 account-region not assessed"), so no status reads as more than what was assessed.
 */
import type { FrameworkSelection, SelectedControl, SelectedFramework } from '../frameworks/index.js';
import type { StatusCounts } from '../core/results.js';
import { coverageVerdict, type CoverageSummary } from './coverage.js';
import type { Cell } from '../io/csv.js';
import { plural } from '../core/text.js';

export const CONTROLS_COLUMNS = [
  'framework', 'version', 'control_id', 'title', 'status', 'pass', 'fail', 'exception', 'error', 'not_applicable', 'status_basis', 'confidence',
] as const;

export type ControlStatus = 'met' | 'not met' | 'not assessed';

export interface ControlAssessment {
  status: ControlStatus;
  /** Why, in one sentence, with the coverage verdict. */
  basis: string;
}

/**
 * `replicasFailing`: multi-Region replicas whose primary FAIL (NOT_APPLICABLE on their own facts, see
 * KeyResult.primaryStatus): they share the failing key material, so the basis names them.
 */
export function assessControl(counts: StatusCounts, coverage: CoverageSummary, replicasFailing = 0): ControlAssessment {
  const verdict = coverageVerdict(coverage, counts);
  if (counts.FAIL > 0) {
    const replicas = replicasFailing ? ` (and ${plural(replicasFailing, 'multi-Region replica')} of failing primaries)` : '';
    return { status: 'not met', basis: `${plural(counts.FAIL, 'key')} FAIL${replicas}; ${verdict}` };
  }
  if (verdict !== 'coverage complete') return { status: 'not assessed', basis: `no FAIL, but ${verdict}` };
  const applicable = counts.PASS + counts.EXCEPTION;
  if (applicable === 0) return { status: 'not assessed', basis: 'no applicable keys in scope; coverage complete' };
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
export function controlLines(selection: FrameworkSelection, countsByRule: (rule: string) => StatusCounts, coverage: CoverageSummary, replicasFailingByRule: (rule: string) => number = () => 0): ControlLine[] {
  return selection.frameworks.flatMap((framework) => {
    const counts = countsByRule(framework.rule);
    const assessment = assessControl(counts, coverage, replicasFailingByRule(framework.rule));
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
