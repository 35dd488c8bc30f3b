import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { ACCOUNT_ID_PATTERN, quote } from '../../core/names.js';
import type { SimScenario } from '../types.js';
import { simScenario, type ScenarioInput } from './builders.js';
import { scenarioIssues } from './validate.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 date');
const tags = z.record(z.string(), z.string());

const key = z.strictObject({
  keyId: z.string().min(1).optional(),
  region: z.string().min(1),
  keyManager: z.enum(['CUSTOMER', 'AWS']).optional(),
  keySpec: z.string().min(1).optional(),
  keyUsage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT']).optional(),
  origin: z.enum(['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']).optional(),
  keyState: z.enum(['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Updating']).optional(),
  description: z.string().optional(),
  creationDate: isoDate.optional(),
  deletionDate: isoDate.optional(),
  customKeyStoreId: z.string().min(1).optional(),
  cloudHsmClusterId: z.string().min(1).optional(),
  xksKeyId: z.string().min(1).optional(),
  expirationModel: z.enum(['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']).optional(),
  validTo: isoDate.optional(),
  multiRegion: z
    .strictObject({
      type: z.enum(['PRIMARY', 'REPLICA']),
      primaryRegion: z.string().min(1),
      primaryKeyId: z.string().min(1),
      replicaRegions: z.array(z.string()).optional(),
    })
    .optional(),
  rotation: z
    .strictObject({
      enabled: z.boolean(),
      periodDays: z.int().min(90).max(2560).optional(),
      nextRotationDate: isoDate.optional(),
      onDemandRotationStartDate: isoDate.optional(),
    })
    .optional(),
  rotations: z.array(z.strictObject({ date: isoDate, type: z.enum(['AUTOMATIC', 'ON_DEMAND']) })).optional(),
  aliases: z.array(z.string().regex(/^alias\/[\w/:-]+$/, 'expected an alias name "alias/…"')).optional(),
  tags: tags.optional(),
});

const role = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name'),
  path: z.string().regex(/^\/(?:[\x21-\x7e]+\/)?$/, 'expected an IAM path such as "/" or "/security/"').optional(),
  externalId: z.string().min(2).max(1224).optional(),
  maxSessionSeconds: z.int().min(3600).max(43200).optional(),
  allowWrite: z.boolean().optional(),
  trustedAccounts: z.array(z.string().regex(ACCOUNT_ID_PATTERN)).optional(),
});

const account = z.strictObject({
  id: z.string().regex(ACCOUNT_ID_PATTERN, 'expected a 12-digit account id'),
  name: z.string().optional(),
  email: z.string().optional(),
  state: z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION']).optional(),
  status: z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']).optional(),
  omitState: z.boolean().optional(),
  parentId: z.string().optional(),
  optedInRegions: z.array(z.string()).optional(),
  roles: z.array(role).optional(),
  keys: z.array(key).optional(),
  tags: tags.optional(),
  joinedTimestamp: isoDate.optional(),
  joinedMethod: z.enum(['CREATED', 'INVITED']).optional(),
  delegatedAdministrator: z.boolean().optional(),
});

const scenarioFileSchema = z.strictObject({
  $schema: z.string().optional(),
  partition: z.literal('aws').optional(),
  organizationId: z.string().optional(),
  rootId: z.string().optional(),
  managementAccountId: z.string().optional(),
  homeRegion: z.string().optional(),
  regions: z.array(z.union([z.string(), z.strictObject({ name: z.string().min(1), optIn: z.boolean() })])).optional(),
  ous: z.array(z.strictObject({ id: z.string(), name: z.string(), parentId: z.string(), tags: tags.optional() })).optional(),
  accounts: z.array(account).min(1),
  withPaths: z.boolean().optional(),
});

/** `accounts[0].keys[2].region` from a zod path. */
function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out === '' ? '(top level)' : out;
}

/** Turn parsed JSON into a scenario, or throw a UsageError naming the source and the key path. */
export function scenarioFromJson(value: unknown, source: string): SimScenario {
  const parsed = scenarioFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    throw new UsageError(`${source}: ${keyPath(issue.path)}: ${issue.message}${more}`);
  }
  const { $schema: _schema, ...input } = parsed.data;
  let scenario: SimScenario;
  try {
    scenario = simScenario(input as ScenarioInput);
  } catch (e) {
    throw new UsageError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const issues = scenarioIssues(scenario);
  if (issues.length > 0) {
    throw new UsageError(`${source}: ${issues[0]!.path}: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
  }
  return scenario;
}

/** Largest scenario file read (a hand-written or saved organization; the generator makes larger ones in memory). */
const MAX_SCENARIO_FILE_BYTES = 64 * 1024 * 1024;

/** Read and validate a JSON scenario file (hand-written cases for tests and demos). */
export async function loadScenarioFile(path: string): Promise<SimScenario> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path}: cannot read scenario file (not a regular file); expected a JSON scenario file`);
    if (info.size > MAX_SCENARIO_FILE_BYTES) throw new UsageError(`${path}: cannot read scenario file (${info.size} bytes); expected at most ${MAX_SCENARIO_FILE_BYTES}`);
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read scenario file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the text (newlines, escape bytes): quoted, so the error stays one line.
    throw new UsageError(`${path}: not valid JSON (${quote((e as Error).message).slice(1, -1)})`);
  }
  return scenarioFromJson(value, path);
}
