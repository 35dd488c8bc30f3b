/**
 * The control mapping data model: one file per framework under frameworks/, and the optional
 * `--controls FILE` that adds or overrides mappings. Validated on load so a typo in a mapping
 * file fails before any scan, naming the file and the key.
 */
import { z } from 'zod';

export const Confidence = z.enum(['high', 'medium', 'low', 'interpretive']);
export type Confidence = z.infer<typeof Confidence>;

// Bounded (issue 12): mapping text is shown in every report; the shipped files' longest is under 400 characters.
const TEXT_MAX = 2000;
const text = z.string().trim().min(1, 'expected a non-empty string').max(TEXT_MAX, `expected at most ${TEXT_MAX} characters`);

const ControlSchema = z.strictObject({
  id: text,
  title: text,
  section: text.optional(),
  /** What the check verifies for this control, when it differs from the framework's `verifies`. */
  verifies: text.optional(),
  confidence: Confidence,
  /** Where the mapping comes from (tools, AWS standards, the publication). */
  source: text,
  note: text.optional(),
  /** Related guidance (e.g. CPG 234 for CPS 234). */
  guidance: text.optional(),
  /** Profile, assessment type, severity … shown as-is. */
  attributes: z.record(z.string().max(200), z.string().max(TEXT_MAX)).optional(),
});
export type Control = z.infer<typeof ControlSchema>;

export const VersionSchema = z.strictObject({
  version: text,
  /** Full name of this version, e.g. "CIS AWS Foundations Benchmark v6.0.0". */
  label: text,
  /** Prefix of the control ids in the findings.csv `controls` column, e.g. "CIS 6.0.0". */
  reference: text,
  controls: z.array(ControlSchema).min(1, 'expected at least one control'),
});

const FRAMEWORK_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const frameworkId = z.string().regex(FRAMEWORK_ID, 'expected a lower-case id of letters, digits and "-" (at most 64)');

export const FrameworkSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    id: frameworkId,
    name: text,
    shortName: text,
    publisher: text.optional(),
    /** The rule whose results evidence the controls. */
    rule: text,
    defaultVersion: text,
    /** What the check verifies, in the framework's terms (per-control `verifies` overrides it). */
    verifies: text,
    notes: z.array(text).optional(),
    versions: z.array(VersionSchema).min(1, 'expected at least one version'),
  })
  .superRefine((fw, ctx) => {
    const seen = new Set<string>();
    fw.versions.forEach((v, i) => {
      if (seen.has(v.version)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'version'], message: `duplicate version "${v.version}"` });
      seen.add(v.version);
      const ids = new Set<string>();
      v.controls.forEach((c, j) => {
        if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'controls', j, 'id'], message: `duplicate control id "${c.id}" in version ${v.version}` });
        ids.add(c.id);
      });
    });
    if (!seen.has(fw.defaultVersion)) {
      ctx.addIssue({ code: 'custom', path: ['defaultVersion'], message: `expected one of the versions (${[...seen].join(', ')}), got "${fw.defaultVersion}"` });
    }
  });
export type Framework = z.infer<typeof FrameworkSchema>;

/** A version in a `--controls` file: complete when new, partial (controls merged by id) when it exists. */
const VersionOverrideSchema = z.strictObject({
  version: text,
  label: text.optional(),
  reference: text.optional(),
  /** true: the file's controls replace the shipped ones for this version instead of merging by id. */
  replace: z.boolean().optional(),
  controls: z.array(ControlSchema).min(1, 'expected at least one control'),
});

/** A framework in a `--controls` file: complete when new, partial when it overrides a shipped one. */
export const FrameworkOverrideSchema = z.strictObject({
  schemaVersion: z.literal(1).optional(),
  id: frameworkId,
  name: text.optional(),
  shortName: text.optional(),
  publisher: text.optional(),
  rule: text.optional(),
  defaultVersion: text.optional(),
  verifies: text.optional(),
  notes: z.array(text).optional(),
  versions: z.array(VersionOverrideSchema).optional(),
});
export type FrameworkOverride = z.infer<typeof FrameworkOverrideSchema>;

export const ControlsFileSchema = z.strictObject({
  schemaVersion: z.literal(1),
  frameworks: z.array(z.unknown()).min(1, 'expected at least one framework'),
});
