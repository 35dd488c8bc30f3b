/**
 * The one schema for every option: flag, environment variable, config-file key, type, default
 * and description all come from this table. The CLI, the config loader, the JSON Schema for
 * editors (config.schema.json) and the README's configuration table are generated from it.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { signOffSchema } from './sign-off.js';
import { ROTATION_PERIOD_DAYS } from '../core/kms-rotation.js';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, REGION_PATTERN, RESERVED_EXPECTED, RESERVED_SCAN_IDS, ROLE_NAME_PATTERN, SCAN_ID_EXPECTED, SCAN_ID_PATTERN } from '../core/names.js';
import { MAX_SHARDS, shardSpecProblem } from '../core/shard.js';

/** How a flag or environment string becomes a value. */
export type OptionKind = 'string' | 'int' | 'number' | 'bool' | 'list';

/** One row of the table; its key in OPTIONS is the config-file key (camelCase of the flag). */
interface OptionDef {
  /** Long flag, e.g. `--role-name <name>`; for booleans `--evaluate-disabled` (and `--no-…` where noted). */
  flag: string;
  kind: OptionKind;
  description: string;
  schema: z.ZodType;
  /** Secrets are redacted in --print-config, logs and the results document. */
  secret?: boolean;
  /** Shown in help and docs when the default is computed. */
  defaultText?: string;
}

export interface OptionSpec extends OptionDef {
  /** Config-file key (camelCase of the flag). */
  key: string;
}

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'expected a 12-digit AWS account id');
const ouId = z.string().regex(OU_ID_PATTERN, 'expected an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)');
const s3Url = z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'expected s3://bucket/prefix');
// Safe as a folder name and in an S3 key; "latest" is the reports root's pointer to the newest run.
const scanId = z
  .string()
  .regex(SCAN_ID_PATTERN, SCAN_ID_EXPECTED)
  .refine((id) => !RESERVED_SCAN_IDS.includes(id), RESERVED_EXPECTED);
// K/N checked in full where it is read (0 <= K < N <= MAX_SHARDS), so the error names that source.
const shardSpec = z
  .string()
  .regex(/^\s*\d+\s*\/\s*\d+\s*$/, 'expected K/N, e.g. 0/4 (K counted from 0)')
  .superRefine((text, ctx) => {
    const problem = shardSpecProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/, got \d+/, '') });
  });
const regionName = z.string().regex(REGION_PATTERN, 'expected an AWS region name such as eu-west-1');
// KMS TagKeyType is 1..128 characters (API model kms-2014-11-01); the characters are those AWS allows
// in tag keys: letters, digits, spaces and _ . : / = + - @ (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html).
const tagKey = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'expected a tag key: 1..128 letters, digits, spaces and _ . : / = + - @');

const OPTIONS = {
  roleName: { flag: '--role-name <name>', kind: 'string', description: 'Read role assumed in each member account.', schema: z.string().regex(ROLE_NAME_PATTERN, 'expected an IAM role name').default('KmsRotationAuditReader') },
  roleArnTemplate: { flag: '--role-arn-template <template>', kind: 'string', description: 'Role ARN template instead of --role-name, with ${partition} and ${accountId}, e.g. arn:${partition}:iam::${accountId}:role/path/Name.', schema: z.string().regex(/^arn:/, 'expected an ARN template starting with arn:').nullable().default(null) },
  externalId: { flag: '--external-id <id>', kind: 'string', description: 'ExternalId passed to AssumeRole.', secret: true, schema: z.string().min(2).max(1224).regex(/^[\w+=,.@:/-]+$/, 'expected 2..1224 characters of [\\w+=,.@:/-]').nullable().default(null) },
  roleSessionName: { flag: '--role-session-name <name>', kind: 'string', description: 'RoleSessionName for AssumeRole (shows in CloudTrail).', schema: z.string().min(2).max(64).regex(/^[\w+=,.@-]+$/, 'expected 2..64 characters of [\\w+=,.@-]').default('kms-rotation-audit') },
  sessionDuration: { flag: '--session-duration <seconds>', kind: 'int', description: 'AssumeRole DurationSeconds (900..43200; role chaining caps it at 3600). Sessions refresh before they expire.', schema: z.number().int().min(900).max(43200).default(3600) },
  accounts: { flag: '--accounts <ids>', kind: 'list', description: 'Only these account ids (comma-separated).', schema: z.array(accountId).min(1).nullable().default(null) },
  excludeAccounts: { flag: '--exclude-accounts <ids>', kind: 'list', description: 'Skip these account ids.', schema: z.array(accountId).default([]) },
  ous: { flag: '--ous <ids>', kind: 'list', description: 'Only accounts anywhere below these OUs (or root).', schema: z.array(ouId).min(1).nullable().default(null) },
  organizations: { flag: '--no-organizations', kind: 'bool', description: 'Do not call AWS Organizations; scan exactly --accounts (for callers that may not read Organizations).', schema: z.boolean().default(true) },
  regions: { flag: '--regions <names>', kind: 'list', description: 'Regions to scan, or "all": every region enabled in each account (from EC2 DescribeRegions, per account).', schema: z.union([z.literal('all'), z.array(regionName).min(1)]).default('all') },
  homeRegion: { flag: '--home-region <region>', kind: 'string', description: 'Region for STS, Organizations and DescribeRegions calls.', defaultText: '$AWS_REGION, else us-east-1', schema: regionName.nullable().default(null) },
  maxRotationDays: { flag: '--max-rotation-days <days>', kind: 'int', description: 'Policy: the longest rotation period that passes (AWS allows 90..2560).', schema: z.number().int().min(ROTATION_PERIOD_DAYS.min).max(ROTATION_PERIOD_DAYS.max).default(365) },
  evaluateDisabled: { flag: '--evaluate-disabled', kind: 'bool', description: 'Judge Disabled keys like enabled ones instead of NOT_APPLICABLE.', schema: z.boolean().default(false) },
  concurrency: { flag: '--concurrency <n>', kind: 'int', description: 'Most AWS requests in flight at once.', schema: z.number().int().min(1).max(2000).default(256) },
  maxAttempts: { flag: '--max-attempts <n>', kind: 'int', description: 'Attempts per AWS call (throttling, 5xx and network errors are retried with backoff).', schema: z.number().int().min(1).max(20).default(6) },
  quotaSafety: { flag: '--quota-safety <fraction>', kind: 'number', description: "Share of AWS's published request quotas the scan may use (the rest is left to other callers).", schema: z.number().gt(0).max(1).default(0.5) },
  scanId: { flag: '--scan-id <id>', kind: 'string', description: "The run's id and folder name, instead of one made from the start time; every shard of one run must be given the same id.", defaultText: 'start time + random suffix', schema: scanId.nullable().default(null) },
  shard: { flag: '--shard <K/N>', kind: 'string', description: 'Scan only shard K of N (K counted from 0): a stable partition of the accounts by account id. The shard writes results.part-K-of-N.json; `merge --from` merges the parts.', schema: shardSpec.nullable().default(null) },
  shardCount: { flag: '--shard-count <n>', kind: 'int', description: 'Number of shards N, with this shard\'s index K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job).', schema: z.number().int().min(1).max(MAX_SHARDS).nullable().default(null) },
  resume: { flag: '--resume <dir>', kind: 'string', description: 'Continue the interrupted run in DIR (its checkpoint names the accounts it finished; those are not scanned again).', schema: z.string().min(1).nullable().default(null) },
  out: { flag: '--out <dir>', kind: 'string', description: 'Write this run into DIR instead of <reports-root>/<scan id>/.', schema: z.string().min(1).nullable().default(null) },
  force: { flag: '--force', kind: 'bool', description: 'Write into an output folder that holds a finished run (one with manifest.json): that run is replaced. Without it such a folder is refused (exit 64), so a finished run is never overwritten by mistake.', schema: z.boolean().default(false) },
  reportsRoot: { flag: '--reports-root <dir>', kind: 'string', description: 'Folder holding one sub-folder per run and the "latest" pointer.', schema: z.string().min(1).default('reports') },
  failOn: { flag: '--fail-on <level>', kind: 'string', description: 'Exit 1 on FAIL findings ("fail"), only on ERROR ("error"), or never.', schema: z.enum(['fail', 'error', 'never']).default('fail') },
  previous: { flag: '--previous <auto|path>', kind: 'string', description: 'Compare with a previous run ("auto": the newest finished run under the reports root; or a run folder or results.json): changes.csv and the PDF\'s changes section.', schema: z.string().min(1).nullable().default('auto') },
  keep: { flag: '--keep <n>', kind: 'int', description: 'Keep only the newest N finished runs under the reports root (older run folders are deleted).', schema: z.number().int().min(1).nullable().default(null) },
  upload: { flag: '--upload <s3url>', kind: 'string', description: 'Upload the finished run folder to s3://bucket/prefix/<scan id>/ (manifest.json last).', schema: s3Url.nullable().default(null) },
  uploadSseKms: { flag: '--upload-sse-kms', kind: 'bool', description: 'Encrypt uploaded objects with SSE-KMS.', schema: z.boolean().default(false) },
  uploadKmsKeyId: { flag: '--upload-kms-key-id <key>', kind: 'string', description: 'KMS key for --upload-sse-kms (default: the AWS managed aws/s3 key).', schema: z.string().min(1).nullable().default(null) },
  signKmsKeyId: { flag: '--sign-kms-key-id <key>', kind: 'string', description: 'Sign the run folder (manifest.sig.json over manifest.json) with this asymmetric AWS KMS key (key id, key ARN or alias; ECC_NIST_P256 signs with ECDSA_SHA_256, RSA keys with RSASSA_PSS_SHA_256). Needs kms:GetPublicKey and kms:Sign.', schema: z.string().regex(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/:.-]+|alias\/[\w/.-]+|(mrk-)?[0-9a-f-]{32,36})$/, 'expected a KMS key id, key ARN, alias name or alias ARN').nullable().default(null) },
  signKeyFile: { flag: '--sign-key-file <file>', kind: 'string', description: 'Sign the run folder with this local private key instead of KMS (unencrypted PEM: Ed25519, EC P-256 or RSA).', schema: z.string().min(1).nullable().default(null) },
  publish: { flag: '--publish <targets>', kind: 'list', description: 'Send the findings on after the scan: "securityhub" imports them into AWS Security Hub (BatchImportFindings, with a finding lifecycle from --previous). A failed import is logged, written to securityhub-publish.json and exits 2.', schema: z.array(z.enum(['securityhub'])).default([]) },
  securityHubRegion: { flag: '--security-hub-region <region>', kind: 'string', description: "Region of the scanning account's Security Hub that --publish securityhub imports into (the administrator's aggregation region); every finding keeps its key's account and region.", defaultText: 'the home region', schema: regionName.nullable().default(null) },
  exceptions: { flag: '--exceptions <file>', kind: 'string', description: 'Exceptions register (YAML): approved, time-limited exceptions that turn matching FAIL keys into EXCEPTION.', schema: z.string().min(1).nullable().default(null) },
  ownerTag: { flag: '--owner-tag <key>', kind: 'string', description: "Tag key that names a key's owner (e.g. owner): findings.csv and findings.xlsx get an owner column. Reads every applicable key's tags (kms:ListResourceTags, one call per key); a tag read that fails is an evidence gap on the row, never a status.", schema: tagKey.nullable().default(null) },
  managedByTag: { flag: '--managed-by-tag <key>', kind: 'string', description: "Tag key your infrastructure-as-code tool sets (e.g. ManagedBy, or terraform): the managed_by column shows it, and the CloudFormation stack tag aws:cloudformation:stack-name, as key=value. Reads tags like --owner-tag.", schema: tagKey.nullable().default(null) },
  exceptionMaxDays: { flag: '--exception-max-days <days>', kind: 'int', description: 'Longest allowed exception (days from created, and from approved when given, to expires).', schema: z.number().int().min(1).max(3650).default(365) },
  frameworks: { flag: '--frameworks <ids>', kind: 'list', description: 'Frameworks the reports map to (id or id@version, e.g. cis@1.4.0); also available: securityhub, aws-config, pci, iso27001.', defaultText: 'cis,apra,mas,nist plus any framework a --controls file adds', schema: z.array(z.string().regex(/^[a-z0-9-]+(@[\w.-]+)?$/, 'expected a framework id such as cis or cis@1.4.0')).min(1).nullable().default(null) },
  cisVersion: { flag: '--cis-version <version>', kind: 'string', description: 'CIS AWS Foundations Benchmark version to show.', defaultText: 'the newest', schema: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version such as 5.0.0').nullable().default(null) },
  controls: { flag: '--controls <file>', kind: 'string', description: 'YAML/JSON file adding or overriding control mappings.', schema: z.string().min(1).nullable().default(null) },
  preparedBy: { flag: '--prepared-by <who>', kind: 'string', description: 'Sign-off printed in report.pdf (cover and sign-off page): who prepared the report, as "Name, Role, YYYY-MM-DD" (date optional); in a config file also a mapping {name, role, date}. Absent: a blank line to sign.', schema: signOffSchema },
  reviewedBy: { flag: '--reviewed-by <who>', kind: 'string', description: 'Sign-off: who reviewed the report (as --prepared-by). `report --from` takes it too, to re-render a run with its review.', schema: signOffSchema },
  approvedBy: { flag: '--approved-by <who>', kind: 'string', description: 'Sign-off: who approved the report (as --prepared-by).', schema: signOffSchema },
  logFormat: { flag: '--log-format <format>', kind: 'string', description: 'Log format: "pretty" on a terminal, "json" for machines; auto picks json when stderr is not a terminal.', schema: z.enum(['auto', 'pretty', 'json']).default('auto') },
  logLevel: { flag: '--log-level <level>', kind: 'string', description: 'Log level.', schema: z.enum(['debug', 'info', 'warn', 'error']).default('info') },
  progress: { flag: '--no-progress', kind: 'bool', description: 'Live progress display on a terminal.', schema: z.boolean().default(true) },
} satisfies Record<string, OptionDef>;

/** The table as a list, in its order (the CLI's help, the README's table, config.schema.json). */
export const optionSpecs: OptionSpec[] = Object.entries(OPTIONS).map(([key, def]) => ({ key, ...def }));

export const optionSpecByKey = new Map(optionSpecs.map((spec) => [spec.key, spec]));

type ConfigShape = { [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K]['schema'] };

export const configSchema = z.strictObject(Object.fromEntries(optionSpecs.map((spec) => [spec.key, spec.schema.meta({ description: spec.description })])) as ConfigShape);

/** The effective configuration: what the schema gives (src/config/load.ts), every key present, defaults applied. */
export type Config = z.output<typeof configSchema>;

/** Environment variable for a key: KMS_ROTATION_AUDIT_ + UPPER_SNAKE. */
export function envName(key: string): string {
  return 'KMS_ROTATION_AUDIT_' + key.replace(/([A-Z])/g, '_$1').toUpperCase();
}

/** JSON Schema for editors (config.schema.json). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}

/**
 * --home-region, else the SDK's own region variables, else us-east-1 (where Organizations lives).
 * A region variable that is not a region name is a UsageError naming the variable (before any AWS call).
 */
export function homeRegionOf(homeRegion: string | null | undefined, env: NodeJS.ProcessEnv): string {
  if (homeRegion) return homeRegion;
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const check = regionName.safeParse(value);
    if (!check.success) throw new UsageError(`${name}: ${check.error.issues[0]!.message}, got ${JSON.stringify(value.slice(0, 64))}; set it to a region or give --home-region`);
    return value;
  }
  return 'us-east-1';
}
