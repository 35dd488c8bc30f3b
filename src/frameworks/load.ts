/**
 * Loads the shipped mapping files (frameworks/*.yaml|json) and merges a `--controls FILE` into them.
 * Merge rules: a framework id not shipped is added whole (it must be complete); a shipped id is
 * overridden field by field; in it, a version not shipped is added whole, a shipped version has its
 * controls merged by control id (a control with the same id replaces the shipped one), or replaced
 * wholesale with `replace: true`.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { frameworksDir } from '../io/paths.js';
import { at, type KeyPath } from '../io/yaml.js';
import { parseAt, readData, type DataFile } from './read.js';
import { ControlsFileSchema, FrameworkOverrideSchema, FrameworkSchema, VersionSchema, type Framework, type FrameworkOverride } from './schema.js';

export interface LoadedFramework {
  framework: Framework;
  /** Files the framework's data came from (shipped file, then the controls file if it touched it). */
  files: string[];
  /** true when the framework was added by a controls file (not shipped). */
  added: boolean;
}

const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export async function loadShippedFrameworks(dir: string = frameworksDir): Promise<Map<string, LoadedFramework>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => DATA_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  } catch (err) {
    throw new UsageError(`${dir}: cannot read the framework mapping folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const out = new Map<string, LoadedFramework>();
  for (const name of names) {
    const file = join(dir, name);
    const data = await readData(file);
    const framework = parseAt(FrameworkSchema, data);
    const stem = basename(name, extname(name));
    const where = at(file, data.lineOf(['id']));
    if (framework.id !== stem) throw new UsageError(`${where}: id: expected "${stem}" (the file name), got "${framework.id}"`);
    if (out.has(framework.id)) throw new UsageError(`${where}: id: framework "${framework.id}" is defined twice in ${dir}`);
    out.set(framework.id, { framework, files: [file], added: false });
  }
  return out;
}

export async function applyControlsFile(shipped: Map<string, LoadedFramework>, file: string): Promise<Map<string, LoadedFramework>> {
  const data = await readData(file);
  const top = parseAt(ControlsFileSchema, data);
  const out = new Map(shipped);
  const seen = new Set<string>();
  top.frameworks.forEach((entry, i) => {
    const path = ['frameworks', i];
    const override = parseAt(FrameworkOverrideSchema, data, { value: entry, path });
    if (seen.has(override.id)) throw new UsageError(`${at(file, data.lineOf([...path, 'id']))}: frameworks[${i}].id: framework "${override.id}" appears twice`);
    seen.add(override.id);
    const base = out.get(override.id);
    if (!base) {
      const framework = parseAt(FrameworkSchema, data, { value: { schemaVersion: 1, ...(entry as object) }, path });
      out.set(framework.id, { framework, files: [file], added: true });
      return;
    }
    const merged = mergeFramework(base.framework, override, data, path);
    // The merged versions are not at the file's indices: an error in them points at the entry.
    const linesFollow = (issuePath: KeyPath): boolean => issuePath[0] !== 'versions';
    out.set(override.id, { framework: parseAt(FrameworkSchema, data, { value: merged, path, linesFollow }), files: [...base.files, file], added: base.added });
  });
  return out;
}

function mergeFramework(base: Framework, override: FrameworkOverride, data: DataFile, path: KeyPath): Framework {
  const { versions: overrideVersions, schemaVersion: _schemaVersion, ...fields } = override;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<Framework>;
  const versions = base.versions.map((v) => ({ ...v, controls: [...v.controls] }));
  (overrideVersions ?? []).forEach((ov, j) => {
    const existing = versions.find((v) => v.version === ov.version);
    if (!existing) {
      const { replace: _replace, ...rest } = ov;
      versions.push(parseAt(VersionSchema, data, { value: rest, path: [...path, 'versions', j] }));
      return;
    }
    if (ov.label) existing.label = ov.label;
    if (ov.reference) existing.reference = ov.reference;
    if (ov.replace) {
      existing.controls = [...ov.controls];
      return;
    }
    for (const control of ov.controls) {
      const at = existing.controls.findIndex((c) => c.id === control.id);
      if (at >= 0) existing.controls[at] = control;
      else existing.controls.push(control);
    }
  });
  return { ...base, ...defined, versions };
}
