/**
 * Where each configuration value came from. The layers (flags, environment, config file) are each
 * validated on their own (src/config/load.ts), but some checks can only run once they are merged: a
 * combination of options, a shard spec against the batch engine's index, an output folder. Those
 * messages must still name what the user wrote: the flag (`--shard`), the environment variable
 * (`KMS_ROTATION_AUDIT_SHARD`) or the config file and line (`config.yaml:7: shard`).
 * loadConfig records the sources of the configuration it returns; `optionSource` reads them, and
 * falls back to the option's flag for a value that is the default or a configuration built in code.
 */
import { UsageError } from './errors.js';

const SOURCES = new WeakMap<object, ReadonlyMap<string, string>>();

/** Switches whose flag is the negative form (src/config/schema.ts: `--no-organizations`, `--no-progress`). */
const NEGATED = new Set(['organizations', 'progress']);

/**
 * The flag of an option, e.g. `--shard` for `shard`, `--no-organizations` for `organizations`: the
 * kebab case of the key, as every flag of src/config/schema.ts is (test/config/sources.test.ts checks).
 */
export function flagOf(key: string): string {
  const kebab = key.replace(/([A-Z])/g, '-$1').toLowerCase();
  return NEGATED.has(key) ? `--no-${kebab}` : `--${kebab}`;
}

export function recordSources(config: object, sources: ReadonlyMap<string, string>): void {
  SOURCES.set(config, sources);
}

/** Gives `to` (a copy of, or settings made from, `from`) the sources recorded for `from`. */
export function inheritSources<T extends object>(from: object | null | undefined, to: T): T {
  const sources = from ? SOURCES.get(from) : undefined;
  if (sources) SOURCES.set(to, sources);
  return to;
}

/** Where the value of `key` came from: a flag, an environment variable, or `file:line: key`. */
export function optionSource(config: object | null | undefined, key: string): string {
  return (config ? SOURCES.get(config)?.get(key) : undefined) ?? flagOf(key);
}

/**
 * --no-organizations without --accounts: refused by src/config/load.ts naming where the switch came
 * from, and asserted again by the engine (src/engine/index.ts) for callers that build options in code.
 */
export function noOrganizationsWithoutAccounts(source = flagOf('organizations')): UsageError {
  return new UsageError(`${source} needs --accounts (or accounts in the config file): without Organizations the scan cannot list accounts, and covers exactly the accounts given`);
}
