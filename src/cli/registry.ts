/**
 * The command line: every command, its flags, and the hand-off to the command's module.
 * Scan options come from the one schema in src/config/schema.ts.
 *
 * Each command's action resolves to the command's exit code and hands it to `done`; runCommandLine
 * keeps it in a variable of its own and returns it (nothing is stored on the Command objects).
 */
import { Command, Option } from 'commander';
import { optionSpecByKey, optionSpecs, type Config } from '../config/schema.js';
import { createLogger } from '../io/log.js';
import { checkFlags, loadConfig, redactConfig } from '../config/load.js';
import { signOffOf } from '../config/sign-off.js';
import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { ExitCode } from './exit-codes.js';
import { toolVersion } from '../io/version.js';

/** Where a command's action hands its exit code (runCommandLine's variable). */
type Done = (code: number) => void;

export function buildProgram(done: Done = () => undefined): Command {
  const program = new Command('kms-rotation-audit')
    .description('Audit automatic rotation of every customer managed symmetric KMS key in an AWS Organization (rule KMS-002).')
    .version(toolVersion)
    .exitOverride()
    .showSuggestionAfterError(true)
    .enablePositionalOptions();
  addScanCommand(program, done);
  addReportCommand(program, done);
  addMergeCommand(program, done);
  addVerifyCommand(program, done);
  addRemediateCommand(program, done);
  addDemoCommand(program, done);
  addSimCommand(program, done);
  return program;
}

/** Parses argv and runs the chosen command; resolves to the command's exit code (0 when no action ran: help, version). */
export async function runCommandLine(argv: string[]): Promise<number> {
  let code: number = ExitCode.Ok;
  await buildProgram((exit) => (code = exit)).parseAsync(argv);
  return code;
}

function addScanCommand(program: Command, done: Done): void {
  addScanOptions(program.command('scan').description('Scan the organization and write results and reports (the default job).')).action(async (_opts, command: Command) => done(await scanAction(command)));
}

async function scanAction(command: Command): Promise<number> {
  const config = await loadConfig({ flags: givenOptions(command), env: process.env, configFile: (command.opts().config as string | undefined) ?? null });
  if (command.opts().printConfig) {
    process.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
    return ExitCode.Ok;
  }
  const { runScanCommand } = await import('../app/scan.js');
  return runScanCommand(config, { env: process.env });
}

/** What `report` and `merge` are given besides the scan's settings (src/cli/report.ts). */
interface FromFlags {
  from: string[];
  out?: string;
  previous?: string;
  frameworks?: string[];
  cisVersion?: string;
  controls?: string;
  config?: string;
  allowTampered?: boolean;
}

/** The help texts where `report` (a re-render, or the merge's alias) and `merge` differ. */
interface FromTexts {
  from: string;
  out: string;
  previous: string;
  config: string;
  /** Appended to the description of each scan setting the merge applies. */
  mergeSetting: string;
}

function addReportCommand(program: Command, done: Done): void {
  const report = program
    .command('report')
    .description('Re-render every report from a saved results.json; given the parts of a sharded run, merge them (the same as `merge --from`); without AWS (S3 aside).');
  addFromOptions(report, {
    from: 'results.json of a finished scan; or shard parts to merge: results.part-K-of-N.json files, folders, s3://bucket/prefix/',
    out: 'output folder (default: the folder of the results file; for a merge <reports-root>/<scan id>/)',
    previous: 'an older results.json for the trend and changes (a merge: "auto" by default, as scan)',
    config: 'YAML config file of the scan (also $KMS_ROTATION_AUDIT_CONFIG): a merge applies its reports root, previous, keep, upload and fail-on',
    mergeSetting: ' (merge)',
  });
  report.action(async (opts: FromFlags, command: Command) => done(await fromAction('report', opts, command)));
}

function addMergeCommand(program: Command, done: Done): void {
  const merge = program
    .command('merge')
    .description('Merge the parts of a sharded run into one run (results.json and every report in <reports-root>/<scan id>/), then latest, --keep, --upload, --publish and the exit status by --fail-on, as a scan would; scans nothing.');
  addFromOptions(merge, {
    from: 'shard parts: results.part-K-of-N.json files, folders (searched recursively), s3://bucket/prefix/ (listed recursively)',
    out: 'output folder (default: <reports-root>/<scan id>/)',
    previous: 'an older run folder or results.json for the trend and changes ("auto" by default, as scan)',
    config: 'YAML config file of the scan (also $KMS_ROTATION_AUDIT_CONFIG): the merge applies its reports root, previous, keep, upload, publish, fail-on and signing',
    mergeSetting: '',
  });
  merge.action(async (opts: FromFlags, command: Command) => done(await fromAction('merge', opts, command)));
}

/** --from and the flags of a re-render; the scan's settings a merge applies, the sign-off, and --force: from the one schema (flag > environment > config file). */
function addFromOptions(command: Command, texts: FromTexts): void {
  command
    .requiredOption('--from <sources...>', texts.from)
    .option('--out <dir>', texts.out)
    .option('--previous <results>', texts.previous)
    .option('--frameworks <ids>', 'frameworks to show (default cis,apra,mas,nist)', list)
    .option('--cis-version <version>', 'CIS AWS Foundations Benchmark version (default: the newest)')
    .option('--controls <file>', 'YAML/JSON file adding or overriding control mappings')
    .option('-c, --config <file>', texts.config)
    .option('--allow-tampered', 'render even when a stored status disagrees with what its facts give (default: refuse, exit 64); the PDF reports it as a tampering finding');
  for (const key of MERGE_OPTION_KEYS) {
    const spec = optionSpecByKey.get(key)!;
    command.addOption(new Option(spec.flag, spec.description + texts.mergeSetting + (spec.defaultText ? ` (default: ${spec.defaultText})` : '')));
  }
  // The sign-off is given when the report is reviewed, often after the scan: a re-render takes it too.
  for (const key of SIGN_OFF_KEYS) {
    const spec = optionSpecByKey.get(key)!;
    command.addOption(new Option(spec.flag, spec.description));
  }
  // --force: --out onto another finished run (a re-render of the folder of --from needs none), or a merge onto one.
  command.addOption(new Option(optionSpecByKey.get('force')!.flag, optionSpecByKey.get('force')!.description));
}

/** `report --from` and `merge --from`: one code path (src/cli/report.ts runFrom); `merge` accepts shard parts only. */
async function fromAction(name: 'report' | 'merge', opts: FromFlags, command: Command): Promise<number> {
  const config = await loadConfig({ flags: givenOptions(command), env: process.env, configFile: opts.config ?? null });
  const logger = createLogger({ format: config.logFormat, level: config.logLevel });
  const { runMergeCommand, runReportCommand } = await import('./report.js');
  const result = await (name === 'merge' ? runMergeCommand : runReportCommand)({
    from: opts.from,
    out: opts.out ?? null,
    previous: opts.previous ?? null,
    frameworks: opts.frameworks ?? null,
    cisVersion: opts.cisVersion ?? null,
    controls: opts.controls ?? null,
    merge: config,
    sign: { signKmsKeyId: config.signKmsKeyId, signKeyFile: config.signKeyFile },
    allowTampered: opts.allowTampered === true,
    signOff: signOffOf(config),
    env: process.env,
    log: (fields, message) => logger.info(fields, message),
    logger,
    warn: (fields, message) => logger.warn(fields, message),
  });
  process.stdout.write(`Reports in ${result.outDir}: ${result.files.map((f) => basename(f)).join(', ')} (${result.pages} PDF pages${result.merged !== null ? `, merged from ${result.merged} shard parts` : ''})\n`);
  return result.exitCode;
}

interface VerifyFlags {
  publicKey?: string;
  online?: boolean;
  allowUnsigned?: boolean;
  homeRegion?: string;
}

function addVerifyCommand(program: Command, done: Done): void {
  program
    .command('verify')
    .description('Check a run folder for an auditor: every file against manifest.json, the signature (manifest.sig.json), and every key re-judged from its facts. Prints one verdict line; exit 0 valid, 1 invalid, 64 bad usage.')
    .argument('<run>', 'run folder (the one holding manifest.json), or s3://bucket/prefix/ of an uploaded run')
    .option('--public-key <pem>', "the signer's public key as you obtained it yourself (PEM): the folder must be signed with exactly this key")
    .option('--online', 'for a KMS signature, also ask KMS (kms:Verify, with your own AWS credentials)')
    .option('--allow-unsigned', 'accept a folder without a signature (digests and re-judgement only)')
    .option('--home-region <region>', 'region for S3 and for a KMS key given by id (default $AWS_REGION, else us-east-1)')
    .action(async (run: string, opts: VerifyFlags) => done(await verifyAction(run, opts)));
}

async function verifyAction(run: string, opts: VerifyFlags): Promise<number> {
  const { runVerifyCommand } = await import('./verify.js');
  const result = await runVerifyCommand({ target: run, publicKeyFile: opts.publicKey ?? null, online: opts.online === true, allowUnsigned: opts.allowUnsigned === true, homeRegion: opts.homeRegion ?? null, env: process.env });
  for (const line of result.details) process.stderr.write(`${line}\n`);
  process.stdout.write(`${result.verdict}\n`);
  return result.exitCode;
}

interface RemediateFlags {
  from: string;
  out?: string;
  apply?: boolean;
  yes?: boolean;
  writeRoleName: string;
  writeRoleArnTemplate?: string;
  externalId?: string;
  externalIdFile?: string;
  accounts?: string[];
  concurrency?: number;
}

function addRemediateCommand(program: Command, done: Done): void {
  program
    .command('remediate')
    .description('Write per-account remediation scripts and a plan CSV from a finished scan; --apply carries them out through a write role.')
    .requiredOption('--from <results>', 'results.json of a finished scan')
    .option('--out <dir>', 'output folder (default: <folder of results.json>/remediation/)')
    .option('--apply', 'enable rotation on every FAIL key (default: dry run)')
    .option('--yes', 'do not ask for confirmation (needed with --apply when not on a terminal)')
    .option('--write-role-name <name>', 'write role assumed in each account (never the read role)', 'KmsRotationAuditRemediator')
    .option('--write-role-arn-template <template>', 'write role ARN template with ${partition} and ${accountId}')
    .option('--external-id <id>', `ExternalId for the write role (a secret: better ${WRITE_EXTERNAL_ID_ENV} or --external-id-file)`)
    .option('--external-id-file <file>', 'file holding the write role\'s ExternalId (its first line)')
    .option('--accounts <ids>', 'only these accounts', list)
    .option('--concurrency <n>', 'accounts handled at once, and the cap on AWS requests in flight (default 4; the range of scan --concurrency)', integer('--concurrency'))
    .action(async (opts: RemediateFlags) => done(await remediateAction(opts)));
}

async function remediateAction(opts: RemediateFlags): Promise<number> {
  const { runRemediateCommand, writeExternalId } = await import('./remediate.js');
  const { externalIdFile: _file, ...rest } = opts;
  const externalId = await writeExternalId({ flag: opts.externalId ?? null, file: opts.externalIdFile ?? null, env: process.env });
  return runRemediateCommand({ ...rest, out: opts.out ?? null, writeRoleArnTemplate: opts.writeRoleArnTemplate ?? null, externalId: externalId?.value ?? null, externalIdSource: externalId?.source ?? '--external-id', accounts: opts.accounts ?? null });
}

function addDemoCommand(program: Command, done: Done): void {
  program
    .command('demo')
    .description('Run the whole job against an embedded simulated organization (no AWS account needed).')
    .option('--out <dir>', 'output folder (default: reports/<scan id>/, with reports/latest pointing at it)')
    .option('--reports-root <dir>', 'reports root', 'reports')
    .option('--log-format <format>', 'auto, pretty or json', 'auto')
    .option('--no-progress', 'no live progress display')
    .option('--force', optionSpecByKey.get('force')!.description)
    .action(async (_opts, command: Command) => done(await demoAction(command)));
}

async function demoAction(command: Command): Promise<number> {
  // The demo's flags are scan options: checked by the same schema, a bad one is one line naming it.
  const given = checkFlags(givenOptions(command)) as Partial<Pick<Config, 'out' | 'reportsRoot' | 'logFormat' | 'progress' | 'force'>>;
  const { runDemoCommand } = await import('./demo.js');
  return runDemoCommand({ out: given.out ?? null, reportsRoot: given.reportsRoot ?? 'reports', logFormat: given.logFormat ?? 'auto', progress: given.progress ?? true, force: given.force ?? false });
}

function addSimCommand(program: Command, done: Done): void {
  program
    .command('sim')
    .description('Serve a simulated AWS organization (KMS, Organizations, STS, EC2) until stopped; prints AWS_ENDPOINT_URL and credentials.')
    .option('--scenario <file>', 'JSON scenario file (default: a generated organization)')
    .option('--accounts <n>', 'accounts in the generated organization', integer('--accounts'))
    .option('--regions <n>', 'regions', integer('--regions'))
    .option('--keys-per-region <n>', 'keys per account and region', integer('--keys-per-region'))
    .option('--latency-ms <n>', 'latency added to every answer', integer('--latency-ms'))
    .option('--seed <n>', 'seed of the generator', integer('--seed'))
    .option('--port <n>', 'port (0 = any free port)', integer('--port'))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--quotas', "enforce AWS's published request quotas")
    .option('--access-key-id <id>', 'fixed access key id of the management account (default: random)')
    .option('--secret-access-key <secret>', 'fixed secret of the management account (default: random)')
    .action(async (opts: Record<string, unknown>) => done(await simAction(opts)));
}

/** Serves until stopped (SIGINT, SIGTERM), then exits 0. */
async function simAction(opts: Record<string, unknown>): Promise<number> {
  const { runSimCommand } = await import('./sim.js');
  await runSimCommand(opts);
  return ExitCode.Ok;
}

const SIGN_OFF_KEYS = ['preparedBy', 'reviewedBy', 'approvedBy'] as const satisfies readonly (keyof Config)[];
/** The write role's ExternalId from the environment (`remediate`; the read role's is KMS_ROTATION_AUDIT_EXTERNAL_ID): src/cli/remediate.ts. */
const WRITE_EXTERNAL_ID_ENV = 'KMS_ROTATION_AUDIT_WRITE_EXTERNAL_ID';

/** Settings of the scan's configuration that `merge` (and `report --from PARTS`) applies when it merges shard parts. */
const MERGE_OPTION_KEYS = ['reportsRoot', 'keep', 'upload', 'uploadSseKms', 'uploadKmsKeyId', 'publish', 'securityHubRegion', 'failOn', 'homeRegion', 'logFormat', 'logLevel', 'signKmsKeyId', 'signKeyFile'] as const satisfies readonly (keyof Config)[];

function list(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function integer(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: expected a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** Adds every scan option of the one schema to a command (no commander defaults: the schema owns them). */
export function addScanOptions(command: Command): Command {
  command.option('-c, --config <file>', 'YAML config file (also $KMS_ROTATION_AUDIT_CONFIG); keys are the camelCase flag names');
  for (const spec of optionSpecs) {
    command.addOption(new Option(spec.flag, spec.description + (spec.defaultText ? ` (default: ${spec.defaultText})` : '')));
  }
  command.option('--print-config', 'print the effective configuration (secrets redacted) and exit');
  return command;
}

/** Values the user actually typed (commander fills defaults for --no-x switches; those are not the user's). */
export function givenOptions(command: Command): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(command.opts())) {
    if (command.getOptionValueSource(key) === 'cli') out[key] = value;
  }
  return out;
}
