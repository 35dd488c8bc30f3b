/** Everything report.pdf shows, computed before drawing starts (the PDF never reads keys itself). */
import type { DataSource } from '../../aws/endpoints.js';
import type { SignOff } from '../../config/sign-off.js';
import type { FrameworkSelection } from '../../frameworks/index.js';
import type { ExceptionsSummary } from '../../exceptions/index.js';
import type { RejudgeReport } from '../../evidence/rejudge.js';
import type { SignerInfo } from '../../evidence/signature.js';
import type { ChangeSummary, KeyChange } from '../changes.js';
import type { PeriodRun } from '../../io/period-runs.js';
import type { ResultsHeader } from '../../core/results.js';
import type { ControlLine, ControlStatus } from '../controls.js';
import type { CoverageSummary } from '../coverage.js';
import type { ReportSummary, Trend } from '../summary.js';
import type { Placeholder, ReportTemplates } from '../templates.js';
import type { ReportingPeriod } from './period.js';

export interface FileEvidence {
  name: string;
  bytes: number;
  sha256: string;
  role: string;
}

export interface PdfModel {
  header: ResultsHeader;
  selection: FrameworkSelection;
  summary: ReportSummary;
  coverage: CoverageSummary;
  controls: ControlLine[];
  trend: Trend | null;
  /** Key-by-key change counts from src/history, when the caller computed them (changes.csv). */
  changes: ChangeSummary | null;
  /** The first newly failing keys of `changes` (at most NEWLY_FAILING_ROWS), in key order. */
  newlyFailing: KeyChange[];
  /** The exceptions register the scan applied (header.extensions.exceptions, validated); null: none used. */
  exceptions: ExceptionsSummary | null;
  templates: ReportTemplates;
  files: FileEvidence[];
  /** The CSV files embedded as PDF/A-3 associated files (findings.csv, coverage.csv), each read once, when
   *  embedded, so a possibly large buffer is held only while pdfkit embeds it; null: not embedded (too
   *  large, reason in attachmentNote). */
  attachments: { name: string; description: string; read: () => Promise<Buffer | null> }[];
  attachmentNote: string;
  /** Prepared / reviewed / approved by (the sign-off page and the cover); null entries print blank lines. */
  signOff: SignOff;
  /** The reporting period when branding.yaml configures one, with the other finished runs inside it (oldest first). */
  period: { period: ReportingPeriod; runs: PeriodRun[] } | null;
  /** Where the data came from (results header dataSource); null: not recorded. */
  dataSource: DataSource | null;
  maxDetailRows: number;
  /**
   * Authenticity (src/evidence): who signs manifest.json, and the re-judgement of every key from
   * its facts (null: not re-judged). `rejudge.disagreements > 0` is a tampering finding: keys whose
   * stored status their facts do not give, rendered only with --allow-tampered (the cover should say so).
   */
  evidence?: { signer: SignerInfo | null; rejudge: RejudgeReport | null };
  placeholders: Record<Placeholder, string>;
}

/** Newly failing keys listed in the "Changes since" section; changes.csv lists them all. */
export const NEWLY_FAILING_ROWS = 200;

const SEVERITY: ControlStatus[] = ['met', 'not assessed', 'not met'];

/** The worst control status across the selected frameworks. */
export function overallStatus(model: PdfModel): ControlStatus {
  return model.controls.reduce<ControlStatus>((worst, line) => (SEVERITY.indexOf(line.assessment.status) > SEVERITY.indexOf(worst) ? line.assessment.status : worst), 'met');
}
