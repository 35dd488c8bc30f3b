/**
 * `kms-rotation-audit demo`: the whole job, no AWS account needed. Starts the simulated
 * organization in-process (a few dozen accounts in nested OUs, several regions, every judgement
 * case, a couple of coverage gaps), scans it with the real engine through the SDK's endpoint
 * override, writes every report, and prints where they are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configSchema, type Config } from '../config/schema.js';
import { generateScenario, startSimulator, type SimFault } from '../sim/index.js';
import { runScanJob } from './scan.js';

export interface DemoOptions {
  out?: string | null;
  reportsRoot?: string;
  accounts?: number;
  seed?: number;
  logFormat?: Config['logFormat'];
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

export async function runDemoCommand(opts: DemoOptions = {}): Promise<number> {
  // The demo never talks to AWS: the SDK's Node 20 end-of-support notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const scenario = generateScenario({ seed: opts.seed ?? 2026, accounts: opts.accounts ?? 36, regions: 5, keysPerRegion: 5, referenceDate: new Date().toISOString() });
  const members = scenario.accounts.filter((account) => account.id !== scenario.managementAccountId && account.state === 'ACTIVE');
  const gapRegion = scenario.regions.find((region) => !region.optIn && region.name !== scenario.homeRegion)?.name ?? scenario.homeRegion;
  const faults = demoFaults({ accountId: members[0]!.id, region: gapRegion }, { accountId: members[1]!.id, region: scenario.homeRegion });
  const sim = await startSimulator({ scenario, faults, seed: opts.seed ?? 2026, latency: { default: 2, jitterMs: 1 } });
  const workDir = await mkdtemp(join(tmpdir(), 'kms-rotation-audit-demo-'));
  const exceptionsFile = join(workDir, 'exceptions.yaml');
  await writeFile(exceptionsFile, demoExceptions(members[2]!.id, members[3]!.id, scenario.managementAccountId, new Date()));
  try {
    const config = configSchema.parse({
      reportsRoot: opts.reportsRoot ?? 'reports',
      out: opts.out ?? null,
      force: opts.force ?? false,
      failOn: 'never',
      logFormat: opts.logFormat ?? 'auto',
      progress: opts.progress ?? true,
      homeRegion: scenario.homeRegion,
      exceptions: exceptionsFile,
    }) as Config;
    print(`Simulated organization ${scenario.organizationId}: ${scenario.accounts.length} accounts, ${scenario.regions.length} regions, served at ${sim.endpoint}`);
    const run = await runScanJob(config, {
      env: { ...process.env, AWS_REGION: scenario.homeRegion },
      deps: { endpoint: sim.endpoint, credentials: async () => ({ ...sim.baseCredentials }) },
    });
    const { byStatus } = run.outcome.header.summary;
    print('');
    print(`Scan ${run.outcome.header.scanId}: ${run.outcome.header.summary.keys} keys — PASS ${byStatus.PASS}, FAIL ${byStatus.FAIL}, EXCEPTION ${byStatus.EXCEPTION}, ERROR ${byStatus.ERROR}, NOT_APPLICABLE ${byStatus.NOT_APPLICABLE}`);
    print(`Coverage complete: ${run.outcome.coverageComplete ? 'yes' : 'no (see coverage.csv and the PDF coverage statement)'}`);
    print(`Reports in ${resolve(run.outDir)}:`);
    for (const name of ['report.pdf', 'findings.csv', 'controls.csv', 'coverage.csv', 'results.json', 'manifest.json']) print(`  ${name}`);
    print('  exceptions.csv');
    if (run.changes) print(`  changes.csv (since ${run.changes.previousFinishedAt})`);
    return 0;
  } finally {
    await sim.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}
