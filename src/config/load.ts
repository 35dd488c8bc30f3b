/**
 * Effective configuration: flags over environment over config file over defaults.
 * Each layer is validated on its own, so an error names where the bad value came from
 * (the flag, the environment variable, or the file with line and key path).
 */
import { isMap } from 'yaml';
import type { z } from 'zod';
import { roleArnResolver } from '../core/role-arn.js';
import { UsageError } from '../core/errors.js';
import { at, issueLine, lineAt, parseYaml, readTextFile, yamlToJs } from '../io/yaml.js';
import { configSchema, envName, optionSpecByKey, optionSpecs, type Config, type OptionSpec } from './schema.js';
import { flagOf, noOrganizationsWithoutAccounts, optionSource, recordSources } from '../core/sources.js';

export const CONFIG_ENV = 'KMS_ROTATION_AUDIT_CONFIG';

export interface ConfigSources {
  /** Values given on the command line, by config key, as strings (or booleans for switches). */
  flags: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** --config FILE, else $KMS_ROTATION_AUDIT_CONFIG, else none. */
  configFile: string | null;
}

export async function loadConfig(sources: ConfigSources): Promise<Config> {
  const configFile = sources.configFile ?? sources.env[CONFIG_ENV] ?? null;
  const fromFile = configFile ? await readConfigFileLocated(configFile) : { values: {}, where: new Map<string, string>() };
  const fromEnv = readEnv(sources.env);
  const fromFlags = readFlags(sources.flags);
  const merged = { ...fromFile.values, ...fromEnv.values, ...fromFlags.values };
  // Where each value came from, the last layer winning as the values do.
  const where = new Map([...fromFile.where, ...fromEnv.where, ...fromFlags.where]);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = typeof issue.path[0] === 'string' ? issue.path[0] : null;
    throw new UsageError(`${key ? (where.get(key) ?? flagOf(key)) : 'configuration'}: ${describeIssue({ ...issue, path: issue.path.slice(1) })}`);
  }
  const config = parsed.data;
  recordSources(config, where);
  checkCombination(config);
  return config;
}

function checkCombination(config: Config): void {
  const from = (key: string): string => optionSource(config, key);
  if (config.accounts && config.accounts.every((id) => config.excludeAccounts.includes(id))) {
    throw new UsageError(`${from('accounts')} ${config.accounts.join(',')} with ${from('excludeAccounts')} ${config.excludeAccounts.join(',')}: no account left in scope; drop one of them`);
  }
  if (!config.organizations && !config.accounts) throw noOrganizationsWithoutAccounts(from('organizations'));
  // The placeholders and the whole ARN (src/core/role-arn.ts), here as well as when the scan starts, so the message names its source.
  roleArnResolver({ roleName: config.roleName, roleArnTemplate: config.roleArnTemplate }, from(config.roleArnTemplate ? 'roleArnTemplate' : 'roleName'));
}

/** Converts a flag or environment string to the option's type; the schema then checks the value. */
export function fromString(spec: OptionSpec, raw: string): unknown {
  const text = raw.trim();
  switch (spec.kind) {
    case 'string':
      return text;
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : raw;
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return raw;
    case 'list': {
      if (spec.key === 'regions' && text === 'all') return 'all';
      return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
    }
  }
}

/**
 * Flags of a command that shares options with the scan (`demo`: --out, --reports-root, --log-format):
 * each checked against the option's schema, a bad one a UsageError naming the flag and what was expected.
 */
export function checkFlags(flags: Record<string, unknown>): Record<string, unknown> {
  return readFlags(flags).values;
}

interface Layer {
  values: Record<string, unknown>;
  /** Where each value came from, by key (a flag, a variable, or `file:line: key`). */
  where: Map<string, string>;
}

function readFlags(flags: Record<string, unknown>): Layer {
  const layer: Layer = { values: {}, where: new Map() };
  for (const [key, value] of Object.entries(flags)) {
    const spec = optionSpecByKey.get(key);
    if (!spec || value === undefined) continue;
    const typed = typeof value === 'string' ? fromString(spec, value) : value;
    const check = spec.schema.safeParse(typed);
    if (!check.success) throw new UsageError(`${flagName(spec)}: ${describeIssue(check.error.issues[0]!, spec.secret ? undefined : value)}`);
    layer.values[key] = typed;
    layer.where.set(key, flagOf(key));
  }
  return layer;
}

function readEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = { values: {}, where: new Map() };
  for (const spec of optionSpecs) {
    const raw = env[envName(spec.key)];
    if (raw === undefined || raw === '') continue;
    const typed = fromString(spec, raw);
    const check = spec.schema.safeParse(typed);
    if (!check.success) throw new UsageError(`${envName(spec.key)}: ${describeIssue(check.error.issues[0]!, spec.secret ? undefined : raw)}`);
    layer.values[spec.key] = typed;
    layer.where.set(spec.key, envName(spec.key));
  }
  return layer;
}

/** Reads and validates a YAML (or JSON) config file; errors carry file, line and key path. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  return (await readConfigFileLocated(path)).values;
}

async function readConfigFileLocated(path: string): Promise<Layer> {
  const located = parseYaml(await readTextFile(path, 'config file'), path);
  const { doc } = located;
  const value: unknown = yamlToJs(doc, path) ?? {};
  if (!isMap(doc.contents) && doc.contents !== null) throw new UsageError(`${path}: expected a mapping of option keys (e.g. "roleName: KmsRotationAuditReader")`);
  const result = configSchema.partial().safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`${at(path, issueLine(located, issue))}: ${describeIssue(issue)}`);
  }
  const values = result.data as Record<string, unknown>;
  // Only the keys the file names (the parsed values also carry every default).
  const written = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  const where = new Map(written.map((key) => [key, `${at(path, lineAt(located, [], key))}: ${key}`]));
  return { values, where };
}

function flagName(spec: OptionSpec): string {
  return spec.flag.split(' ')[0]!.replace(/^--no-/, '--');
}

export function describeIssue(issue: z.core.$ZodIssue, given?: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const known = optionSpecs.map((s) => s.key).join(', ');
    return `unknown key "${issue.keys.join('", "')}"${issue.path.length ? ` in ${issue.path.join('.')}` : ''} (known keys: ${known})`;
  }
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  const got = given === undefined ? '' : `, got ${JSON.stringify(given)}`;
  return `${where}${issue.message}${got}`;
}

/** The effective configuration for --print-config, secrets redacted. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of optionSpecs) {
    const value = (config as Record<string, unknown>)[spec.key];
    out[spec.key] = spec.secret && value !== null && value !== undefined ? '***redacted***' : value;
  }
  return out;
}
