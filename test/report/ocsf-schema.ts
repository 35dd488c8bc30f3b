/**
 * A validator for OCSF event records built from the OCSF schema's own source files (a copy of
 * ocsf/ocsf-schema at tag 1.3.0 in test/fixtures/ocsf-schema-1.3.0, see SOURCE.md there): the class's
 * attributes are merged along `extends` and `$include` (includes and profiles), types come from
 * dictionary.json, and objects are checked recursively. It reports:
 * - a missing attribute the schema marks `"requirement": "required"` (profile attributes only when
 *   the record names the profile in metadata.profiles);
 * - an attribute the class or object does not define;
 * - a value of the wrong type (scalar types by their base type; arrays where `is_array`);
 * - an `_id` value outside its enum (99 "Other" and 0 "Unknown" are always allowed);
 * - an object breaking its `at_least_one` constraint (e.g. _entity: name or uid).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OCSF_SCHEMA_DIR = join(import.meta.dirname, '../fixtures/ocsf-schema-1.3.0');

interface AttrDef {
  requirement?: string;
  type?: string;
  is_array?: boolean;
  enum?: Record<string, unknown>;
  profile?: string | null;
}
interface SchemaFile {
  uid?: number;
  name?: string;
  extends?: string;
  category?: string;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  attributes?: Record<string, AttrDef> & { $include?: string[] };
  profiles?: string[];
}
interface Resolved {
  attributes: Map<string, AttrDef>;
  constraints: { at_least_one?: string[]; just_one?: string[] };
}

const read = (rel: string): SchemaFile => JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, rel), 'utf8')) as SchemaFile;
const dictionary = JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, 'dictionary.json'), 'utf8')) as {
  attributes: Record<string, AttrDef>;
  types: { attributes: Record<string, { type?: string }> };
};
export const schemaVersion = (JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, 'version.json'), 'utf8')) as { version: string }).version;

function merge(target: Map<string, AttrDef>, attrs: SchemaFile['attributes'], profile: string | null): void {
  for (const [name, def] of Object.entries(attrs ?? {})) {
    if (name === '$include') {
      for (const inc of def as unknown as string[]) {
        const file = read(inc);
        merge(target, file.attributes, inc.startsWith('profiles/') ? (file.name ?? inc) : profile);
      }
      continue;
    }
    const prev = target.get(name) ?? {};
    target.set(name, { ...dictionary.attributes[name], ...prev, ...def, profile: (def as AttrDef).profile ?? prev.profile ?? profile });
  }
}

function resolveFile(path: (name: string) => string, name: string): Resolved {
  const file = read(path(name));
  const base: Resolved = file.extends && file.extends !== 'object' ? resolveFile(path, file.extends) : { attributes: new Map(), constraints: {} };
  const attributes = new Map(base.attributes);
  merge(attributes, file.attributes, null);
  return { attributes, constraints: file.constraints ?? base.constraints };
}

const EVENT_PATHS: Record<string, string> = { base_event: 'events/base_event.json', finding: 'events/findings/finding.json', compliance_finding: 'events/findings/compliance_finding.json' };
export const resolveClass = (name: string): Resolved => resolveFile((n) => EVENT_PATHS[n] ?? `events/${n}.json`, name);
const objectCache = new Map<string, Resolved>();
const resolveObject = (name: string): Resolved => {
  let r = objectCache.get(name);
  if (!r) objectCache.set(name, (r = resolveFile((n) => `objects/${n}.json`, name)));
  return r;
};

/** The class uid as the schema computes it: category uid × 1000 + class uid. */
export function classUid(name: string): number {
  const file = read(EVENT_PATHS[name]!);
  const categories = JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, 'categories.json'), 'utf8')) as { attributes: Record<string, { uid: number }> };
  return categories.attributes[file.category!]!.uid * 1000 + file.uid!;
}

function baseType(type: string): string {
  let t = type;
  for (let i = 0; i < 5; i++) {
    const next = dictionary.types.attributes[t]?.type;
    if (!next) break;
    t = next;
  }
  return t;
}

function checkScalar(value: unknown, type: string): boolean {
  switch (baseType(type)) {
    case 'string_t':
      return typeof value === 'string';
    case 'integer_t':
    case 'long_t':
      return Number.isInteger(value);
    case 'float_t':
      return typeof value === 'number';
    case 'boolean_t':
      return typeof value === 'boolean';
    case 'json_t':
      return value !== undefined;
    default:
      return false;
  }
}

function checkEntity(value: Record<string, unknown>, resolved: Resolved, where: string, profiles: Set<string>, errors: string[]): void {
  for (const [name, def] of resolved.attributes) {
    if (def.requirement === 'required' && (!def.profile || profiles.has(def.profile)) && value[name] === undefined) errors.push(`${where}.${name}: required attribute missing`);
  }
  for (const group of [resolved.constraints.at_least_one, resolved.constraints.just_one]) {
    if (group && !group.some((n) => value[n] !== undefined)) errors.push(`${where}: needs at least one of ${group.join(', ')}`);
  }
  for (const [name, v] of Object.entries(value)) {
    const def = resolved.attributes.get(name);
    if (!def) {
      errors.push(`${where}.${name}: not an attribute of this class/object`);
      continue;
    }
    checkValue(v, def, `${where}.${name}`, profiles, errors);
  }
}

function checkValue(value: unknown, def: AttrDef, where: string, profiles: Set<string>, errors: string[]): void {
  if (def.is_array) {
    if (!Array.isArray(value)) return void errors.push(`${where}: expected an array`);
    value.forEach((item, i) => checkValue(item, { ...def, is_array: false }, `${where}[${i}]`, profiles, errors));
    return;
  }
  const type = def.type ?? 'string_t';
  if (type.endsWith('_t')) {
    if (!checkScalar(value, type)) errors.push(`${where}: expected ${type}, got ${JSON.stringify(value)}`);
    else if (def.enum && where.endsWith('_id') && !['0', '99'].includes(String(value)) && !Object.hasOwn(def.enum, String(value))) errors.push(`${where}: ${String(value)} is not in the enum`);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${where}: expected a ${type} object`);
  checkEntity(value as Record<string, unknown>, resolveObject(type), where, profiles, errors);
}

/** Problems of one record against the named class (empty when valid). */
export function validateOcsf(record: Record<string, unknown>, className: string): string[] {
  const errors: string[] = [];
  const metadata = record.metadata as { profiles?: string[] } | undefined;
  checkEntity(record, resolveClass(className), className, new Set(metadata?.profiles ?? []), errors);
  return errors;
}
