/**
 * Which frameworks the reports show: `--frameworks cis,apra,mas,nist` (each optionally `id@version`),
 * `--cis-version`, and `--controls FILE` for a company's own mappings.
 */
import { UsageError } from '../core/errors.js';
import { applyControlsFile, loadShippedFrameworks, type LoadedFramework } from './load.js';
import type { Confidence, Control } from './schema.js';

export type { Confidence, Control, Framework } from './schema.js';

/** Frameworks shown when `--frameworks` is absent. */
export const DEFAULT_FRAMEWORKS: readonly string[] = ['cis', 'apra', 'mas', 'nist'];
/** Mapping files shipped in frameworks/ (a test keeps this list and the folder in step). */
export const AVAILABLE_FRAMEWORKS: readonly string[] = ['apra', 'aws-config', 'cis', 'iso27001', 'mas', 'nist', 'pci', 'securityhub'];
/** The newest CIS AWS Foundations Benchmark version, the default of `--cis-version`. */
export const DEFAULT_CIS_VERSION = '7.0.0';

export interface SelectedControl extends Control {
  /** Resolved: the control's own `verifies`, else the framework's. */
  verifies: string;
}

export interface SelectedFramework {
  id: string;
  name: string;
  shortName: string;
  publisher: string | null;
  rule: string;
  version: string;
  versionLabel: string;
  /** Prefix for control ids in the findings.csv `controls` column. */
  reference: string;
  notes: string[];
  controls: SelectedControl[];
  /** Lowest confidence among the controls: drives the "interpretive" statements in the PDF. */
  confidence: Confidence;
  /** The data files this framework came from. */
  files: string[];
  availableVersions: string[];
}

export interface FrameworkSelection {
  frameworks: SelectedFramework[];
  controlsFile: string | null;
}

export interface LoadFrameworksOptions {
  /** Ids, optionally `id@version`; comma-separated entries are split. Omit (or null) for the default
   *  selection plus every framework a controls file adds. */
  frameworks?: readonly string[] | null;
  /** CIS benchmark version (e.g. `6.0.0` or `v6.0.0`); default the newest. */
  cisVersion?: string | null;
  /** A YAML/JSON file adding or overriding mappings. */
  controlsFile?: string | null;
  /** Folder of the shipped mapping files (tests). */
  frameworksDir?: string;
  /** Where --frameworks and --cis-version came from, for messages (src/core/sources.ts); default the flags. */
  sources?: { frameworks?: string; cisVersion?: string };
}

export async function loadFrameworks(opts: LoadFrameworksOptions): Promise<FrameworkSelection> {
  let all = await loadShippedFrameworks(opts.frameworksDir);
  const controlsFile = opts.controlsFile ?? null;
  if (controlsFile) all = await applyControlsFile(all, controlsFile);

  const frameworksFrom = opts.sources?.frameworks ?? '--frameworks';
  const cisFrom = opts.sources?.cisVersion ?? '--cis-version';
  const requested = opts.frameworks ? parseSpecs(opts.frameworks, frameworksFrom) : [...DEFAULT_FRAMEWORKS.map((id) => ({ id, version: null })), ...addedBy(all)];
  const cisVersion = opts.cisVersion ? opts.cisVersion.trim().replace(/^v/i, '') : null;
  const frameworks = requested.map(({ id, version }) => {
    const loaded = all.get(id);
    if (!loaded) throw new UsageError(`${frameworksFrom}: unknown framework "${id}" (available: ${[...all.keys()].sort().join(', ')})`);
    let chosen = version;
    if (id === 'cis' && cisVersion) {
      if (version && version !== cisVersion) throw new UsageError(`${cisFrom} ${cisVersion} conflicts with ${frameworksFrom} cis@${version}`);
      chosen = cisVersion;
    }
    return select(loaded, chosen, id === 'cis' && cisVersion ? cisFrom : frameworksFrom);
  });
  if (cisVersion && !requested.some((r) => r.id === 'cis')) {
    throw new UsageError(`${cisFrom} ${cisVersion}: CIS is not among the selected frameworks (${requested.map((r) => r.id).join(', ')})`);
  }
  return { frameworks, controlsFile };
}

/** The findings.csv `controls` value: `CIS 7.0.0 4.6; NIST 800-53r5 SC-12, SC-12(2), SC-28(3); …`. */
export function controlsReference(selection: FrameworkSelection): string {
  return selection.frameworks.map((f) => `${f.reference} ${f.controls.map((c) => c.id).join(', ')}`).join('; ');
}

function addedBy(all: Map<string, LoadedFramework>): { id: string; version: null }[] {
  return [...all.values()].filter((l) => l.added).map((l) => ({ id: l.framework.id, version: null }));
}

function parseSpecs(specs: readonly string[], from: string): { id: string; version: string | null }[] {
  const out: { id: string; version: string | null }[] = [];
  for (const raw of specs.flatMap((s) => s.split(','))) {
    const spec = raw.trim();
    if (!spec) continue;
    const at = spec.indexOf('@');
    const id = (at < 0 ? spec : spec.slice(0, at)).trim().toLowerCase();
    const version = at < 0 ? null : spec.slice(at + 1).trim().replace(/^v/i, '') || null;
    const same = out.find((o) => o.id === id);
    if (same) {
      if (same.version !== version) throw new UsageError(`${from}: "${id}" is given twice with different versions`);
      continue;
    }
    out.push({ id, version });
  }
  if (out.length === 0) throw new UsageError(`${from}: expected at least one framework id (e.g. cis,apra,mas,nist)`);
  return out;
}

const CONFIDENCE_ORDER: Confidence[] = ['interpretive', 'low', 'medium', 'high'];

function select(loaded: LoadedFramework, version: string | null, flag: string): SelectedFramework {
  const fw = loaded.framework;
  const wanted = version ?? fw.defaultVersion;
  const v = fw.versions.find((x) => x.version === wanted);
  const available = fw.versions.map((x) => x.version);
  if (!v) throw new UsageError(`${flag}: unknown ${fw.shortName} version "${wanted}" (available: ${available.join(', ')})`);
  const controls = v.controls.map((c) => ({ ...c, verifies: c.verifies ?? fw.verifies }));
  const confidence = CONFIDENCE_ORDER.find((level) => controls.some((c) => c.confidence === level)) ?? 'high';
  return {
    id: fw.id,
    name: fw.name,
    shortName: fw.shortName,
    publisher: fw.publisher ?? null,
    rule: fw.rule,
    version: v.version,
    versionLabel: v.label,
    reference: v.reference,
    notes: fw.notes ?? [],
    controls,
    confidence,
    files: loaded.files,
    availableVersions: available,
  };
}
