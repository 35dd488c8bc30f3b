/**
 * `kms-rotation-audit remediate --from results.json [--out DIR] [--apply]`: the remediation plan
 * of a finished scan. Dry run by default: writes one script per account and remediation-plan.csv,
 * and prints what would change. `--apply` carries the plan out through a separate write role.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { AwsCredentials } from '../aws/credentials.js';
import { roleArnResolver } from '../core/role-arn.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from './exit-codes.js';
import { checkWritableFolder } from '../io/output.js';
import { openResults } from '../io/results-document.js';
import { applyPlan, type ApplyOutcome } from '../remediate/apply.js';
import { AUDIT_LOG, type AuditRecord } from '../remediate/audit-log.js';
import { writePlanFiles } from '../remediate/files.js';
import { buildPlan, byAccount, type RemediationPlan } from '../remediate/plan.js';
import { AwsWriteAccess } from '../remediate/session.js';
import { ACCOUNT_ID_PATTERN as ACCOUNT_ID, ROLE_NAME_PATTERN as ROLE_NAME } from '../core/names.js';
import { effectivePeriodDays } from '../rules/kms-002/period.js';
import { toolVersion } from '../io/version.js';
import { checkFlags } from '../config/load.js';
import { configSchema } from '../config/schema.js';

export const DEFAULT_WRITE_ROLE_NAME = 'KmsRotationAuditRemediator';
/** The scan's read role when its results do not name one: the schema's default (src/config/schema.ts). */
const DEFAULT_READ_ROLE_NAME = configSchema.shape.roleName.parse(undefined);
/** Accounts handled at once when --concurrency is not given (the range is the scan's). */
const DEFAULT_CONCURRENCY = 4;
/** Lines of "what would change" printed before pointing at the CSV. */
const MAX_PRINTED_KEYS = 50;

export interface RemediateCommandOptions {
  /** The results.json of a finished scan. */
  from: string;
  /** Folder for the scripts, the CSV and the audit log (default: `<folder of results.json>/remediation/`). */
  out?: string | null;
  /** Carry the plan out (default: dry run). */
  apply?: boolean;
  /** Skip the confirmation (required with --apply when not on a terminal). */
  yes?: boolean;
  writeRoleName?: string;
  /** `arn:${partition}:iam::${accountId}:role/path/Name`, instead of --write-role-name. */
  writeRoleArnTemplate?: string | null;
  externalId?: string | null;
  /** Where the ExternalId came from, for messages (the value itself is never shown). */
  externalIdSource?: string;
  /** Only these accounts. */
  accounts?: string[] | null;
  /** Accounts handled at once, and the cap on AWS requests in flight (default 4). */
  concurrency?: number;
  /** Explicit endpoint for every AWS service (simulator); otherwise the SDK's AWS_ENDPOINT_URL* handling. */
  endpoint?: string;
  /** Whether a person can answer the confirmation (default: stdin and stderr are terminals). */
  interactive?: boolean;
  /** Base credentials (tests); default: the standard provider chain. */
  credentials?: () => Promise<AwsCredentials>;
  /** Asks the confirmation question (tests); default: a readline prompt on the terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Where the plan and progress are printed (default stdout). */
  print?: (line: string) => void;
  now?: () => Date;
}

/** AssumeRole ExternalId (STS API reference: 2..1224 of [\w+=,.@:/-]). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export const WRITE_EXTERNAL_ID_ENV = 'KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID';

/**
 * The write role's ExternalId and where it came from: --external-id, --external-id-file (its first
 * line), else $KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID; null when none. A secret: no message shows it or
 * the file's content.
 */
export async function writeExternalId(given: { flag: string | null; file: string | null; env: NodeJS.ProcessEnv }): Promise<{ value: string; source: string } | null> {
  if (given.flag !== null && given.file !== null) throw new UsageError('--external-id and --external-id-file: give one of them');
  if (given.flag !== null) return { value: given.flag, source: '--external-id' };
  if (given.file !== null) {
    const source = `--external-id-file ${given.file}`;
    let text: string;
    try {
      const info = await stat(given.file);
      if (!info.isFile()) throw new UsageError(`${source}: cannot read the file (not a regular file); expected a file holding the ExternalId`);
      if (info.size > 4096) throw new UsageError(`${source}: cannot read the file (${info.size} bytes); expected the ExternalId on one line (at most 1,224 characters)`);
      text = await readFile(given.file, 'utf8');
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return { value: (text.split(/\r?\n/)[0] ?? '').trim(), source };
  }
  const fromEnv = given.env[WRITE_EXTERNAL_ID_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: WRITE_EXTERNAL_ID_ENV } : null;
}

export async function runRemediateCommand(opts: RemediateCommandOptions): Promise<number> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = opts.now ?? (() => new Date());
  const checked = checkOptions(opts);
  const plan = await buildPlan(opts.from, await openResults(opts.from), { accounts: opts.accounts ?? null });
  // Checked before anything is written, so a refused --apply leaves no half-made plan behind.
  const writeRoleArnFor = opts.apply ? checkWriteRole(plan, checked.writeRoleName, opts.writeRoleArnTemplate ?? null) : null;
  const outDir = await writePlan(plan, opts, now, print);
  if (!writeRoleArnFor) {
    if (plan.items.length > 0) {
      print('Dry run: nothing was changed. Run each account\'s script (--profile NAME or --role-arn ARN), or re-run with --apply.');
    }
    return ExitCode.Ok;
  }
  if (plan.items.length === 0) return ExitCode.Ok;
  if (!opts.yes && !(await confirmApply(plan, writeRoleArnFor, opts.confirm ?? askOnTerminal))) {
    print('Cancelled: nothing was changed.');
    return ExitCode.Findings;
  }
  return applyThroughWriteRole(plan, writeRoleArnFor, outDir, { ...opts, concurrency: checked.concurrency }, now, print);
}

/** Everything about the flags that can be refused before the results file is read. */
function checkOptions(opts: RemediateCommandOptions): { concurrency: number; writeRoleName: string } {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  // The range of the scan's --concurrency (src/config/schema.ts): a bad value is one line naming the flag.
  checkFlags({ concurrency });
  for (const [index, accountId] of (opts.accounts ?? []).entries()) {
    if (!ACCOUNT_ID.test(accountId)) throw new UsageError(`--accounts: ${index}: expected a 12-digit AWS account id, got ${JSON.stringify(accountId)}`);
  }
  const writeRoleName = opts.writeRoleName ?? DEFAULT_WRITE_ROLE_NAME;
  if (!ROLE_NAME.test(writeRoleName)) throw new UsageError(`--write-role-name: expected an IAM role name ([\\w+=,.@-], 1..64 characters), got ${JSON.stringify(writeRoleName)}`);
  // AssumeRole ExternalId (STS API reference: 2..1224 of [\w+=,.@:/-]); a secret, never echoed.
  if (opts.externalId != null && !EXTERNAL_ID.test(opts.externalId)) throw new UsageError(`${opts.externalIdSource ?? '--external-id'}: expected 2..1224 characters of [\\w+=,.@:/-] (the value is not shown: it is a secret)`);
  const interactive = opts.interactive ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (opts.apply && !opts.yes && !interactive) throw new UsageError('--apply changes KMS keys: confirm with --yes when not running on a terminal');
  return { concurrency, writeRoleName };
}

/** The scripts and remediation-plan.csv, written and described; returns their folder. */
async function writePlan(plan: RemediationPlan, opts: RemediateCommandOptions, now: () => Date, print: (line: string) => void): Promise<string> {
  const outDir = resolve(opts.out ?? join(dirname(opts.from), 'remediation'));
  await checkWritableFolder(outDir, opts.out ? '--out' : 'the remediation folder');
  const written = await writePlanFiles(plan, outDir, { toolVersion, generatedAt: now().toISOString() });
  describePlan(plan, print);
  print(`Plan written to ${outDir}: ${written.scripts.length} script${written.scripts.length === 1 ? '' : 's'} and remediation-plan.csv.`);
  return outDir;
}

async function confirmApply(plan: RemediationPlan, writeRoleArnFor: (accountId: string) => string, confirm: (question: string) => Promise<boolean>): Promise<boolean> {
  const accounts = byAccount(plan.items).size;
  const sampleArn = writeRoleArnFor(plan.items[0]!.accountId);
  return confirm(`Enable rotation on ${plural(plan.items.length, 'key')} in ${plural(accounts, 'account')} through ${sampleArn.replace(plan.items[0]!.accountId, '<account>')}? Type "yes" to go on: `);
}

/** --apply: every planned key through the write role, each outcome in the audit log; exit 1 when any failed. */
async function applyThroughWriteRole(plan: RemediationPlan, writeRoleArnFor: (accountId: string) => string, outDir: string, opts: RemediateCommandOptions & { concurrency: number }, now: () => Date, print: (line: string) => void): Promise<number> {
  const auditLogPath = join(outDir, AUDIT_LOG);
  const { concurrency } = opts;
  const access = new AwsWriteAccess({ homeRegion: plan.homeRegion, roleArnFor: writeRoleArnFor, externalId: opts.externalId ?? null, concurrency, endpoint: opts.endpoint, credentials: opts.credentials });
  let outcome: ApplyOutcome;
  try {
    outcome = await applyPlan(plan, access, { auditLogPath, runId: randomUUID(), concurrency, now, onKey: (record) => print(progressLine(record)) });
  } finally {
    access.close();
  }
  print(`Applied: ${outcome.enabled} enabled, ${outcome.alreadyCompliant} already compliant, ${outcome.failed} failed. Audit log: ${auditLogPath}`);
  if (outcome.failed > 0) {
    print('Some keys were not changed: see the errors above and in the audit log, fix the write role\'s permissions or the key states, and run again (compliant keys are skipped).');
    return ExitCode.Findings;
  }
  return ExitCode.Ok;
}

/** The write role's ARN per account; refused when it is the scan's read role (the read role must stay read-only). */
function checkWriteRole(plan: RemediationPlan, roleName: string, template: string | null): (accountId: string) => string {
  let resolveWrite;
  try {
    resolveWrite = roleArnResolver({ roleName, roleArnTemplate: template });
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/^--role-name/, '--write-role-name').replace(/^--role-arn-template/, '--write-role-arn-template'));
    throw err;
  }
  const readArnFor = roleArnResolver({ roleName: plan.readRoleName ?? DEFAULT_READ_ROLE_NAME, roleArnTemplate: plan.readRoleArnTemplate });
  const sample = plan.items[0]?.accountId ?? '123456789012';
  const writeArn = resolveWrite(plan.partition, sample);
  const readArn = readArnFor(plan.partition, sample);
  if (writeArn === readArn || lastSegment(writeArn) === lastSegment(readArn)) {
    throw new UsageError(`--write-role-name: ${writeArn} is the read role the scan used (${readArn}); --apply needs a separate write role (default ${DEFAULT_WRITE_ROLE_NAME})`);
  }
  return (accountId) => resolveWrite(plan.partition, accountId);
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function describePlan(plan: RemediationPlan, print: (line: string) => void): void {
  const accounts = byAccount(plan.items).size;
  print(`Remediation plan from scan ${plan.scanId} (${plan.source}), policy: rotation at least every ${plan.maxRotationDays} days.`);
  if (!plan.complete) print('Warning: that scan did not finish; the plan covers only the keys it judged.');
  print(`${plural(plan.items.length, 'key')} to change in ${plural(accounts, 'account')}; ${plural(plan.exceptionsLeftAlone, 'approved exception')} left alone.`);
  if (plan.failKeysOutsideAccounts > 0) print(`${plural(plan.failKeysOutsideAccounts, 'failing key')} outside --accounts not planned.`);
  for (const skipped of plan.skipped) print(`Not planned: ${skipped.keyArn}: ${skipped.why}.`);
  for (const item of plan.items.slice(0, MAX_PRINTED_KEYS)) {
    const current = item.currentRotationEnabled ? `rotation every ${effectivePeriodDays(item.currentPeriodDays)} days` : 'rotation disabled';
    print(`  ${item.accountId} ${item.region} ${item.keyId}: ${current} -> enable, every ${item.targetPeriodDays} days`);
  }
  if (plan.items.length > MAX_PRINTED_KEYS) print(`  … and ${plan.items.length - MAX_PRINTED_KEYS} more (see remediation-plan.csv)`);
}

function progressLine(record: AuditRecord): string {
  const head = `  ${record.accountId} ${record.region} ${record.keyId}: `;
  if (record.outcome === 'failed') return `${head}FAILED ${record.error?.code ?? ''} at ${record.error?.operation ?? ''}: ${record.error?.message ?? ''}`;
  if (record.outcome === 'already-compliant') return `${head}already compliant (rotation every ${effectivePeriodDays(record.after?.periodDays ?? null)} days)`;
  return `${head}enabled (rotation every ${effectivePeriodDays(record.after?.periodDays ?? null)} days)`;
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}
