/**
 * `kms-rotation-audit demo`: the whole job, no AWS account needed. Starts the simulated
 * organization in-process (a few dozen accounts in nested OUs, several regions, every judgement
 * case, a couple of coverage gaps), scans it with the real engine through the SDK's endpoint
 * override, writes every report, and prints where they are.
 *
 * Run again on the same reports root (or the same --out folder), the demo scans the organization
 * one step later (src/sim/scenario/evolve.ts: a few keys fixed, a few newly failing, one account
 * added) and compares with the previous demo run, so changes.csv and the PDF's "Changes since" page
 * have something to show. Key dates come from a fixed reference date, never from the clock.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema, type Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { MANIFEST_NAME, RESULTS_FILE } from '../core/run-files.js';
import { finishedRunsNewestFirst, isFinishedRun } from '../io/runs.js';
import { openResults } from '../io/results-document.js';
import type { KeyStage } from '../engine/types.js';
import { DEFAULT_REFERENCE_DATE, evolveScenario, generateScenario, startSimulator, type SimFault, type SimScenario, type StepChanges } from '../sim/index.js';
import { runScanJob, type ScanRunSummary } from '../app/scan.js';

export interface DemoOptions {
  out?: string | null;
  reportsRoot?: string;
  accounts?: number;
  seed?: number;
  logFormat?: Config['logFormat'];
  logLevel?: Config['logLevel'];
  progress?: boolean;
  /** Write into a folder holding a finished run (--force). */
  force?: boolean;
  print?: (line: string) => void;
}

/**
 * Deliberate gaps the reports must show: an SCP denying ListKeys in one region of one member
 * (a region not assessed), GetKeyRotationStatus denied in another member (keys in ERROR), and a
 * member without the read role (from the generator).
 */
function demoFaults(listDenied: { accountId: string; region: string }, statusDenied: { accountId: string; region: string }): SimFault[] {
  return [
    { accounts: [listDenied.accountId], regions: [listDenied.region], operations: ['kms:ListKeys'], kind: 'access-denied' },
    { accounts: [statusDenied.accountId], regions: [statusDenied.region], operations: ['kms:GetKeyRotationStatus'], kind: 'access-denied', times: 3 },
  ];
}

/** An exceptions register for the demo: one approved entry, one expired, one that matches nothing. */
function demoExceptions(approvedAccount: string, expiredAccount: string, managementAccount: string, today: Date): string {
  const day = (offset: number): string => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  return `exceptions:
  - id: EX-DEMO-001
    scope:
      accounts: ["${approvedAccount}"]
      aliases: ["alias/*-prod-*", "alias/*-staging-*"]
    reason: Vendor appliance re-wraps its data keys itself; rotation is scheduled with the vendor upgrade
    approver: jane.doe@example.com
    ticket: SEC-1234
    created: ${day(-30)}
    expires: ${day(150)}
    approved: ${day(-32)}
    riskOwner: Head of Payments Engineering
    compensatingControl: The appliance re-wraps its data keys every 90 days (vendor attestation on SEC-1234)
  - id: EX-DEMO-002
    scope:
      accounts: ["${expiredAccount}"]
    reason: Legacy decrypt-only key kept for an archive migration
    approver: john.roe@example.com
    ticket: SEC-0999
    created: ${day(-200)}
    expires: ${day(-10)}
  - id: EX-DEMO-003
    scope:
      keys: ["arn:aws:kms:us-east-1:${managementAccount}:key/00000000-0000-0000-0000-000000000000"]
    reason: Retired key, kept until the audit closes
    approver: jane.doe@example.com
    ticket: SEC-1300
    created: ${day(-5)}
    expires: ${day(20)}
`;
}

/** Key under `header.extensions` where a demo run records which simulated organization it scanned. */
export const DEMO_EXTENSION = 'demo';

/** What a demo run records: the generator's seed and reference date, and how many steps the organization had evolved. */
export interface DemoRecord {
  seed: number;
  referenceDate: string;
  step: number;
  /** What the latest step changed (empty at step 0). */
  changes: StepChanges | null;
}

export async function runDemoCommand(opts: DemoOptions = {}): Promise<number> {
  // The demo never talks to AWS: the SDK's Node 20 end-of-support notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const org = demoOrganization(opts.seed ?? 2026, opts.accounts ?? 36);
  const reportsRoot = resolve(opts.reportsRoot ?? 'reports');
  const out = opts.out ? resolve(opts.out) : null;
  const workDir = await mkdtemp(join(tmpdir(), 'kms-rotation-audit-demo-'));
  try {
    const previous = await previousDemoRun(org.scenario, org.seed, reportsRoot, out, workDir);
    const record = demoStep(org, previous);
    const exceptionsFile = join(workDir, 'exceptions.yaml');
    await writeFile(exceptionsFile, demoExceptions(org.members[2]!.id, org.members[3]!.id, org.scenario.managementAccountId, new Date()));
    const config = configSchema.parse({
      reportsRoot,
      out,
      force: opts.force ?? false,
      failOn: 'never',
      logFormat: opts.logFormat ?? 'auto',
      logLevel: opts.logLevel ?? 'info',
      progress: opts.progress ?? true,
      homeRegion: org.scenario.homeRegion,
      exceptions: exceptionsFile,
      // Only an earlier demo run of this organization is compared with: any other run is another organization.
      previous: previous?.resultsPath ?? null,
    });
    printDemoRun(await scanDemo(org, record, config, print), print);
    return 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The simulated organization a demo scans: generated from the seed, with its members and deliberate gaps. */
interface DemoOrganization {
  seed: number;
  scenario: SimScenario;
  /** Active members (not the management account): the first four carry the faults and the exceptions. */
  members: SimScenario['accounts'];
  faults: SimFault[];
}

function demoOrganization(seed: number, accounts: number): DemoOrganization {
  const scenario = generateScenario({ seed, accounts, regions: 5, keysPerRegion: 5, referenceDate: DEFAULT_REFERENCE_DATE });
  const members = scenario.accounts.filter((account) => account.id !== scenario.managementAccountId && account.state === 'ACTIVE');
  const gapRegion = scenario.regions.find((region) => !region.optIn && region.name !== scenario.homeRegion)?.name ?? scenario.homeRegion;
  const faults = demoFaults({ accountId: members[0]!.id, region: gapRegion }, { accountId: members[1]!.id, region: scenario.homeRegion });
  return { seed, scenario, members, faults };
}

/** The step after the previous demo run's (0 without one): the organization evolved that far. */
function demoStep(org: DemoOrganization, previous: { step: number } | null): DemoRecord {
  const step = previous ? previous.step + 1 : 0;
  // The members with faults and exceptions keep their keys, so each change shows as what it is.
  const evolved = evolveScenario(org.scenario, { seed: org.seed, step, keepAccounts: org.members.slice(0, 4).map((account) => account.id), referenceDate: DEFAULT_REFERENCE_DATE });
  return { seed: org.seed, referenceDate: DEFAULT_REFERENCE_DATE, step, changes: evolved.at(-1) ?? null };
}

/** Serves the organization in-process and runs the real scan job against it (src/app/scan.ts). */
async function scanDemo(org: DemoOrganization, record: DemoRecord, config: Config, print: (line: string) => void): Promise<ScanRunSummary> {
  const { scenario } = org;
  const sim = await startSimulator({ scenario, faults: org.faults, seed: org.seed, latency: { default: 2, jitterMs: 1 } });
  print(`Simulated organization ${scenario.organizationId}: ${scenario.accounts.length} accounts, ${scenario.regions.length} regions, served at ${sim.endpoint}`);
  if (record.changes) {
    const { fixed, newlyFailing, newAccount } = record.changes;
    print(`Changed since the previous demo run (step ${record.step}): rotation turned on for ${fixed.length} failing keys, off for ${newlyFailing.length} passing keys; account ${newAccount.name} (${newAccount.id}) joined with ${newAccount.keys} keys`);
  }
  try {
    return await runScanJob(config, {
      env: { ...process.env, AWS_REGION: scenario.homeRegion },
      deps: { endpoint: sim.endpoint, credentials: async () => ({ ...sim.baseCredentials }) },
      stages: [demoStage(record)],
    });
  } finally {
    await sim.stop();
  }
}

function printDemoRun(run: ScanRunSummary, print: (line: string) => void): void {
  const { byStatus } = run.outcome.header.summary;
  print('');
  print(`Scan ${run.outcome.header.scanId}: ${run.outcome.header.summary.keys} keys — PASS ${byStatus.PASS}, FAIL ${byStatus.FAIL}, EXCEPTION ${byStatus.EXCEPTION}, ERROR ${byStatus.ERROR}, NOT_APPLICABLE ${byStatus.NOT_APPLICABLE}`);
  print(`Coverage complete: ${run.outcome.coverageComplete ? 'yes' : 'no (see coverage.csv and the PDF coverage statement)'}`);
  print(`Reports in ${resolve(run.outDir)}:`);
  for (const name of ['report.pdf', 'report.html', 'findings.csv', 'findings.xlsx', 'findings.ocsf.json', 'findings.asff.json', 'controls.csv', 'coverage.csv', RESULTS_FILE, MANIFEST_NAME]) print(`  ${name}`);
  print('  exceptions.csv');
  if (run.changes) {
    const c = run.changes.counts;
    print(`  changes.csv (since ${run.changes.previousFinishedAt}): ${c.fixed} fixed, ${c.newly_failing} newly failing, ${c.new} new, ${c.gone} gone, ${c.status_changed} otherwise changed, ${c.not_assessed} not assessed`);
  } else {
    print('Run the demo again on the same reports root to see changes.csv and the "Changes since" page.');
  }
}

/** A stage that changes no key and records the demo's organization in the results header. */
function demoStage(record: DemoRecord): KeyStage {
  return { name: DEMO_EXTENSION, apply: (key) => key, extension: () => record };
}

/**
 * The run to compare with: the finished run already in the --out folder (copied aside, since this
 * run replaces it), else the newest finished run under the reports root; used only when it is a
 * demo run of this organization (same seed, same organization), whose step this run follows.
 */
async function previousDemoRun(scenario: SimScenario, seed: number, reportsRoot: string, out: string | null, workDir: string): Promise<{ resultsPath: string; step: number } | null> {
  let dir: string | undefined;
  if (out && isFinishedRun(out)) dir = out;
  else dir = (await finishedRunsNewestFirst(reportsRoot, out)).at(0);
  if (!dir) return null;
  let header;
  try {
    header = (await openResults(join(dir, RESULTS_FILE))).header;
  } catch (err) {
    if (err instanceof UsageError) return null; // not readable: start the organization afresh
    throw err;
  }
  const demo = header.extensions[DEMO_EXTENSION] as Partial<DemoRecord> | undefined;
  if (!demo || demo.seed !== seed || header.organizationId !== scenario.organizationId || header.managementAccountId !== scenario.managementAccountId) return null;
  if (typeof demo.step !== 'number' || !Number.isInteger(demo.step) || demo.step < 0 || demo.step > 10_000) return null;
  if (dir !== out) return { resultsPath: join(dir, RESULTS_FILE), step: demo.step };
  const copy = join(workDir, 'previous-results.json');
  await copyFile(join(dir, RESULTS_FILE), copy);
  return { resultsPath: copy, step: demo.step };
}
