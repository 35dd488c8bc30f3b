/**
 * Issue 12, the fuzz-style test: every input file type the tool reads (config YAML, exceptions
 * register, controls file, results.json, shard part file, simulator scenario JSON) fed truncated,
 * duplicated, reordered, type-swapped and oversized variants of a valid file, through the built CLI.
 * Each variant must give: exit 64, exactly one line on stderr (the tool's prefix, no stack trace),
 * nothing on stdout, no AWS request (a counting endpoint stands in for AWS), and nothing written (its
 * folder unchanged, the output folder absent).
 *
 * The variants are made deterministically from the valid files below (each mutation is one that
 * makes the file invalid: a cut inside a bracket or quote, a key given twice, a child moved above its
 * parent, a value of the wrong type, a file or value over its bound), and run in one process
 * (test/hostile/fuzz-harness.mjs calls src/cli/main.ts, the code path of dist/src/cli.js, once per
 * variant) so a hundred variants take seconds.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadExceptions } from '../../src/exceptions/index.js';
import { loadFrameworks } from '../../src/frameworks/index.js';
import { packageRoot } from '../../src/io/paths.js';
import { openResults } from '../../src/io/results-document.js';
import { Rejudge } from '../../src/evidence/rejudge.js';
import { mergeParts } from '../../src/app/merge/parts.js';
import { loadScenarioFile } from '../../src/sim/index.js';
import { makeKey, writeRun } from '../helpers/results.js';
import { writePart } from '../app/helpers.js';
import { awsCounter, removeTempDirs, tempDir, type AwsCounter } from './helpers.js';
import { ACME_CONTROLS } from '../fixtures/controls-file.js';

let aws: AwsCounter;
let root: string;
beforeAll(async () => {
  aws = await awsCounter();
  root = await tempDir('kra-fuzz-');
});
afterAll(async () => {
  await aws.close();
  await removeTempDirs();
});

// ---- the valid files ---------------------------------------------------------------------------

const CONFIG = `# a valid configuration
roleName: KmsRotationAuditReader
accounts:
  - "111122223333"
  - "222233334444"
regions: [eu-west-1, us-east-1]
homeRegion: us-east-1
maxRotationDays: 365
concurrency: 16
frameworks: [cis, nist]
failOn: fail
logFormat: json
`;

const EXCEPTIONS = `exceptions:
  - id: EX-2026-001
    scope:
      accounts: ["111122223333"]
      aliases: ["alias/vendor-*"]
    reason: Vendor appliance re-wraps its data keys itself
    approver: jane.doe@example.com
    ticket: SEC-1234
    created: 2025-06-01
    expires: 2026-05-31
  - id: EX-2026-002
    scope:
      keys: ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    reason: Legacy decrypt-only key kept for an archive migration
    approver: john.roe@example.com
    ticket: SEC-0999
    created: 2025-09-01
    expires: 2026-08-31
`;

const CONTROLS = ACME_CONTROLS;

const SCENARIO = `{
  "homeRegion": "us-east-1",
  "regions": ["us-east-1", "eu-west-1"],
  "accounts": [
    {
      "id": "111111111111",
      "name": "management",
      "keys": [
        { "region": "us-east-1", "keyId": "11111111-1111-1111-1111-111111111111", "rotation": { "enabled": true, "periodDays": 365 } }
      ]
    },
    {
      "id": "222222222222",
      "name": "workload",
      "keys": [
        { "region": "eu-west-1", "keyId": "22222222-2222-2222-2222-222222222222", "rotation": { "enabled": false } }
      ]
    }
  ]
}
`;

/** Keys whose stored status is what their facts give (the re-render re-judges every key). */
const KEYS = ['0001', '0002', '0003'].map((n) => makeKey({ keyId: `1234abcd-12ab-34cd-56ef-00000000${n}`, description: `key ${n}`, aliases: [`alias/app-${n}`] }));

// ---- how a variant is made ---------------------------------------------------------------------

interface Variant {
  kind: 'truncated' | 'duplicated' | 'reordered' | 'type-swapped' | 'oversized';
  name: string;
  /** The file's new text, or the size to pad it to with a hole (a sparse file: cheap to make, refused by its size before it is read). */
  text: string;
  padTo?: number;
}

const lines = (text: string): string[] => text.split('\n');
/** `text` cut in the middle of the first span between `open` and `close` found after `after`. */
function cutInside(text: string, after: string, open: string, close: string): string {
  const start = text.indexOf(open, text.indexOf(after));
  const end = text.indexOf(close, start + 1);
  if (start < 0 || end < 0) throw new Error(`no ${open}…${close} after ${after}`);
  return text.slice(0, Math.floor((start + 1 + end) / 2));
}
/** Line `i` given twice. */
const duplicateLine = (text: string, i: number): string => lines(text).flatMap((line, j) => (j === i ? [line, line] : [line])).join('\n');
/** Lines `from`..`to` (inclusive) given twice. */
const duplicateLines = (text: string, from: number, to: number): string => {
  const all = lines(text);
  return [...all.slice(0, to + 1), ...all.slice(from, to + 1), ...all.slice(to + 1)].join('\n');
};
/** Line `i` moved above line `j`. */
const moveLineAbove = (text: string, i: number, j: number): string => {
  const all = lines(text);
  const [line] = all.splice(i, 1);
  all.splice(j, 0, line!);
  return all.join('\n');
};
const lineOf = (text: string, prefix: string): number => {
  const i = lines(text).findIndex((line) => line.startsWith(prefix));
  if (i < 0) throw new Error(`no line starting ${JSON.stringify(prefix)}`);
  return i;
};
const replace = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`no ${JSON.stringify(from)}`);
  return text.replace(from, to);
};
/** Cuts of a JSON text at fractions of its length: never a whole document. */
const jsonCuts = (text: string): string[] => [0.2, 0.5, 0.8].map((f) => text.slice(0, Math.floor(text.trimEnd().length * f)));

function yamlVariants(base: string, spec: { flows: [string, string, string][]; duplicate: number[]; duplicateBlock?: [number, number]; moves: [number, number][]; swaps: [string, string][]; oversizedValues: [string, string][]; padTo: number }): Variant[] {
  return [
    ...spec.flows.map(([after, open, close], i) => ({ kind: 'truncated' as const, name: `cut inside ${open}${close} #${i}`, text: cutInside(base, after, open, close) })),
    ...spec.duplicate.map((i) => ({ kind: 'duplicated' as const, name: `line ${i + 1} twice`, text: duplicateLine(base, i) })),
    ...(spec.duplicateBlock ? [{ kind: 'duplicated' as const, name: `lines ${spec.duplicateBlock[0] + 1}-${spec.duplicateBlock[1] + 1} twice`, text: duplicateLines(base, ...spec.duplicateBlock) }] : []),
    ...spec.moves.map(([i, j]) => ({ kind: 'reordered' as const, name: `line ${i + 1} above line ${j + 1}`, text: moveLineAbove(base, i, j) })),
    ...spec.swaps.map(([from, to]) => ({ kind: 'type-swapped' as const, name: `${from.trim()} → ${to.trim()}`, text: replace(base, from, to) })),
    ...spec.oversizedValues.map(([from, to]) => ({ kind: 'oversized' as const, name: `${from.trim()} → ${to.length} characters`, text: replace(base, from, to) })),
    { kind: 'oversized', name: `file padded to ${spec.padTo} bytes`, text: base, padTo: spec.padTo },
  ];
}

const MIB = 1024 * 1024;

const configVariants = (): Variant[] =>
  yamlVariants(CONFIG, {
    flows: [['regions:', '[', ']'], ['accounts:', '"', '"'], ['accounts:', '"2', '"']],
    duplicate: [lineOf(CONFIG, 'maxRotationDays'), lineOf(CONFIG, 'roleName')],
    duplicateBlock: [lineOf(CONFIG, 'accounts:'), lineOf(CONFIG, 'accounts:') + 2],
    moves: [[lineOf(CONFIG, 'accounts:') + 1, lineOf(CONFIG, 'accounts:')], [lineOf(CONFIG, 'accounts:') + 2, 0]],
    swaps: [['maxRotationDays: 365', 'maxRotationDays: "365"'], ['accounts:\n  - "111122223333"\n  - "222233334444"', 'accounts: "111122223333"'], ['regions: [eu-west-1, us-east-1]', 'regions: 5'], ['failOn: fail', 'failOn: [fail]'], ['concurrency: 16', 'concurrency: true'], ['logFormat: json', 'logFormat: { json: 1 }'], ['homeRegion: us-east-1', 'homeRegion: 12']],
    oversizedValues: [['roleName: KmsRotationAuditReader', `roleName: ${'R'.repeat(100_000)}`], ['concurrency: 16', `concurrency: 1${'0'.repeat(30)}`], ['homeRegion: us-east-1', `homeRegion: us-east-${'1'.repeat(5000)}x`]],
    padTo: 17 * MIB,
  });

const exceptionsVariants = (): Variant[] =>
  yamlVariants(EXCEPTIONS, {
    flows: [['accounts:', '["', '"]'], ['aliases:', '"', '"'], ['keys:', '[', ']']],
    duplicate: [lineOf(EXCEPTIONS, '    ticket: SEC-1234'), lineOf(EXCEPTIONS, '    scope:')],
    duplicateBlock: [1, 9],
    moves: [[1, 0], [lineOf(EXCEPTIONS, '      accounts:'), lineOf(EXCEPTIONS, '    scope:')]],
    swaps: [['created: 2025-06-01', 'created: 20250601'], ['    scope:\n      accounts: ["111122223333"]\n      aliases: ["alias/vendor-*"]', '    scope: accounts'], ['accounts: ["111122223333"]', 'accounts: "111122223333"'], ['id: EX-2026-001', 'id: [EX-2026-001]'], ['expires: 2026-05-31', 'expires: { date: 2026-05-31 }']],
    oversizedValues: [['reason: Vendor appliance re-wraps its data keys itself', `reason: ${'r'.repeat(100_000)}`], ['ticket: SEC-1234', `ticket: ${'T'.repeat(5000)}`], ['id: EX-2026-001', `id: EX-${'9'.repeat(200)}`]],
    padTo: 17 * MIB,
  }).concat([
    { kind: 'truncated', name: 'last entry without its expires line', text: lines(EXCEPTIONS).slice(0, -2).join('\n') + '\n' },
    { kind: 'truncated', name: 'cut inside the last date', text: EXCEPTIONS.slice(0, EXCEPTIONS.lastIndexOf('-31')) },
    { kind: 'type-swapped', name: 'exceptions: a map', text: 'exceptions: {}\n' },
  ]);

const controlsVariants = (): Variant[] =>
  yamlVariants(CONTROLS, {
    flows: [['controls:', '{', '}'], ['defaultVersion:', '"', '"']],
    duplicate: [lineOf(CONTROLS, '    shortName:'), lineOf(CONTROLS, 'schemaVersion')],
    duplicateBlock: [lineOf(CONTROLS, '  - id: acme-ccl'), lines(CONTROLS).length - 2],
    moves: [[lineOf(CONTROLS, '  - id: acme-ccl'), lineOf(CONTROLS, 'frameworks:')], [lines(CONTROLS).length - 2, lineOf(CONTROLS, '        controls:')]],
    swaps: [['schemaVersion: 1', 'schemaVersion: "1"'], ['confidence: high', 'confidence: 5'], ['    versions:', '    versions: "2026"\n    old:'], ['frameworks:\n', 'frameworks: acme\nold:\n'], ['name: ACME Common Control Library', 'name: [ACME]']],
    oversizedValues: [['id: acme-ccl', `id: acme-${'c'.repeat(100)}`], ['title: Key rotation', `title: ${'K'.repeat(3000)}`]],
    padTo: 17 * MIB,
  });

function scenarioVariants(): Variant[] {
  const accountStart = lineOf(SCENARIO, '    {');
  const accountEnd = lines(SCENARIO).findIndex((line, i) => i > accountStart && line === '    },');
  const keyLine = lineOf(SCENARIO, '        { "region": "us-east-1"');
  return [
    ...jsonCuts(SCENARIO).map((text, i) => ({ kind: 'truncated' as const, name: `cut at ${[20, 50, 80][i]}%`, text })),
    { kind: 'duplicated', name: 'an account given twice', text: duplicateLines(SCENARIO, accountStart, accountEnd) },
    { kind: 'duplicated', name: 'a key given twice', text: replace(SCENARIO, lines(SCENARIO)[keyLine]!, `${lines(SCENARIO)[keyLine]!},\n${lines(SCENARIO)[keyLine]!}`) },
    { kind: 'reordered', name: '"accounts": [ below its first element', text: moveLineAbove(SCENARIO, lineOf(SCENARIO, '  "accounts"'), lineOf(SCENARIO, '  "accounts"') + 2) },
    { kind: 'reordered', name: '"keys": [ below its first key', text: moveLineAbove(SCENARIO, lineOf(SCENARIO, '      "keys"'), lineOf(SCENARIO, '      "keys"') + 2) },
    { kind: 'type-swapped', name: 'accounts: an object', text: replace(SCENARIO, '"accounts": [', '"accounts": {"x": [').replace(/\]\n\}\n$/, ']}\n}\n') },
    { kind: 'type-swapped', name: 'regions: a string', text: replace(SCENARIO, '"regions": ["us-east-1", "eu-west-1"]', '"regions": "us-east-1"') },
    { kind: 'type-swapped', name: 'an account id as a number', text: replace(SCENARIO, '"id": "111111111111"', '"id": 111111111111') },
    { kind: 'type-swapped', name: 'rotation: true', text: replace(SCENARIO, '"rotation": { "enabled": false }', '"rotation": true') },
    { kind: 'oversized', name: 'an account id of 100 digits', text: replace(SCENARIO, '"id": "222222222222"', `"id": "${'2'.repeat(100)}"`) },
    { kind: 'oversized', name: 'a region of 5,000 characters', text: replace(SCENARIO, '{ "region": "eu-west-1"', `{ "region": "eu-west-${'1'.repeat(5000)}"`) },
    { kind: 'oversized', name: 'file padded to 65 MiB', text: SCENARIO, padTo: 65 * MIB },
  ];
}

/** Variants of a results document in its line layout (line 1 header, line 2 `"keys":[`, key lines, `]}`). */
function resultsVariants(base: string): Variant[] {
  const all = lines(base);
  const keyLines = all.map((line, i) => (line.startsWith('{"accountId"') ? i : -1)).filter((i) => i >= 0);
  const [k1, k2] = [keyLines[0]!, keyLines[1]!];
  const editKey = (name: string, edit: (key: Record<string, unknown>) => void, kind: Variant['kind'] = 'type-swapped'): Variant => {
    const copy = [...all];
    const raw = copy[k2]!;
    const comma = raw.endsWith(',');
    const key = JSON.parse(comma ? raw.slice(0, -1) : raw) as Record<string, unknown>;
    edit(key);
    copy[k2] = JSON.stringify(key) + (comma ? ',' : '');
    return { kind, name, text: copy.join('\n') };
  };
  const editHeader = (name: string, edit: (doc: { formatVersion: unknown; header: Record<string, unknown> }) => void, kind: Variant['kind'] = 'type-swapped'): Variant => {
    const copy = [...all];
    const doc = JSON.parse(copy[0]!.slice(0, -1) + '}') as { formatVersion: unknown; header: Record<string, unknown> };
    edit(doc);
    copy[0] = JSON.stringify(doc).slice(0, -1) + ',';
    return { kind, name, text: copy.join('\n') };
  };
  return [
    { kind: 'truncated', name: 'cut inside the header line', text: base.slice(0, Math.floor(all[0]!.length / 2)) },
    { kind: 'truncated', name: 'cut inside a key line', text: base.slice(0, base.indexOf(all[k2]!) + 40) },
    { kind: 'truncated', name: 'cut before the closing line', text: all.slice(0, keyLines.at(-1)! + 1).join('\n') + '\n' },
    { kind: 'duplicated', name: 'a key line twice', text: duplicateLine(base, k1) },
    { kind: 'duplicated', name: 'the header line twice', text: duplicateLine(base, 0) },
    { kind: 'reordered', name: 'two keys swapped', text: moveLineAbove(base, k2, k1) },
    { kind: 'reordered', name: 'the keys line above the header', text: moveLineAbove(base, 1, 0) },
    editKey('aliases: a string', (k) => (k.aliases = 'alias/x')),
    editKey('rotationEnabled: "true"', (k) => (k.rotationEnabled = 'true')),
    editKey('keySpec: a number', (k) => (k.keySpec = 5)),
    editKey('error: a string', (k) => (k.error = 'boom')),
    editKey('tags: a list', (k) => (k.tags = ['a'])),
    editKey('evidenceGaps: an object', (k) => (k.evidenceGaps = {})),
    editKey('severity: 3', (k) => (k.severity = 3)),
    editHeader('complete: "yes"', (d) => (d.header.complete = 'yes')),
    editHeader('summary.keys: "3"', (d) => ((d.header.summary as Record<string, unknown>).keys = '3')),
    editHeader('coverage: a string', (d) => (d.header.coverage = 'x')),
    editHeader('formatVersion: "1"', (d) => (d.formatVersion = '1')),
    editKey('a key id of 3,000 characters', (k) => (k.keyId = 'k'.repeat(3000)), 'oversized'),
    editKey('a region of 1,000 characters', (k) => (k.region = `eu-west-${'1'.repeat(1000)}x`), 'oversized'),
    editHeader('a scan id of 200 characters', (d) => (d.header.scanId = 's'.repeat(200)), 'oversized'),
    // Not in the line layout (it starts "{" alone on a line), and larger than the tool reads whole.
    { kind: 'oversized', name: 'a re-formatted document padded to 257 MiB', text: '{\n' + base, padTo: 257 * MIB },
  ];
}

/** A part's own variants on top of a results document's: its shard numbers. */
function partVariants(base: string): Variant[] {
  const header = (name: string, shard: unknown): Variant => ({ kind: 'type-swapped', name, text: base.replace('"shard":{"index":0,"count":1}', `"shard":${JSON.stringify(shard)}`) });
  return [
    ...resultsVariants(base).filter((v) => v.padTo === undefined),
    header('shard index "0"', { index: '0', count: 1 }),
    header('shard index past the count', { index: 1, count: 1 }),
    { ...header('shard count 1e9', { index: 0, count: 1_000_000_000 }), kind: 'oversized' },
    header('shard: "0/1"', '0/1'),
  ];
}

// ---- the run -----------------------------------------------------------------------------------

interface Job {
  id: string;
  argv: string[];
  env?: Record<string, string>;
  watch: string;
  timeoutMs?: number;
}

interface JobResult {
  id: string;
  code: number | string;
  stdout: string;
  stderr: string;
  changed: boolean;
}

async function writeVariant(path: string, variant: Variant): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(variant.text);
    if (variant.padTo) await file.truncate(variant.padTo);
  } finally {
    await file.close();
  }
}

type FileType = 'config' | 'exceptions' | 'controls' | 'results' | 'part' | 'scenario';

async function jobsFor(type: FileType, variants: Variant[]): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const [i, variant] of variants.entries()) {
    const dir = join(root, type, String(i).padStart(3, '0'));
    await mkdir(dir, { recursive: true });
    const out = join(dir, 'out');
    const id = `${type} ${variant.kind}: ${variant.name}`;
    switch (type) {
      case 'config':
        await writeVariant(join(dir, 'config.yaml'), variant);
        jobs.push({ id, argv: ['scan', '-c', join(dir, 'config.yaml'), '--out', out], watch: dir });
        break;
      case 'exceptions':
        await writeVariant(join(dir, 'exceptions.yaml'), variant);
        jobs.push({ id, argv: ['scan', '--exceptions', join(dir, 'exceptions.yaml'), '--home-region', 'us-east-1', '--out', out], watch: dir });
        break;
      case 'controls':
        await writeVariant(join(dir, 'controls.yaml'), variant);
        jobs.push({ id, argv: ['scan', '--controls', join(dir, 'controls.yaml'), '--home-region', 'us-east-1', '--out', out], watch: dir });
        break;
      case 'results':
        await writeVariant(join(dir, 'results.json'), variant);
        jobs.push({ id, argv: ['report', '--from', join(dir, 'results.json')], watch: dir });
        break;
      case 'part':
        await mkdir(join(dir, 'parts'));
        await writeVariant(join(dir, 'parts', 'results.part-0-of-1.json'), variant);
        jobs.push({ id, argv: ['report', '--from', join(dir, 'parts', 'results.part-0-of-1.json'), '--reports-root', join(dir, 'reports')], watch: dir });
        break;
      case 'scenario':
        await writeVariant(join(dir, 'scenario.json'), variant);
        jobs.push({ id, argv: ['sim', '--scenario', join(dir, 'scenario.json'), '--port', '0'], watch: dir, timeoutMs: 5000 });
        break;
    }
  }
  return jobs;
}

function runHarness(jobs: Job[]): Promise<{ results: JobResult[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const jobsFile = join(root, `jobs-${Date.now()}.json`);
    void writeFile(jobsFile, JSON.stringify(jobs)).then(() => {
      const child = spawn(process.execPath, [join(packageRoot, 'test/hostile/fuzz-harness.mjs'), jobsFile], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: root,
          AWS_ENDPOINT_URL: aws.endpoint,
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', () => {
        try {
          resolve({ results: JSON.parse(stdout) as JobResult[], stderr });
        } catch {
          reject(new Error(`harness output is not JSON:\n${stdout.slice(0, 2000)}\nstderr:\n${stderr.slice(0, 2000)}`));
        }
      });
    }, reject);
  });
}

/** What is wrong with one variant's outcome ('' when it is refused as it must be). */
function problem(result: JobResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  const issues = [
    result.code !== 64 ? `exit ${result.code}` : '',
    lines.length !== 1 ? `${lines.length} lines on stderr` : '',
    !lines[0]!.startsWith('kms-rotation-audit: ') ? 'no tool prefix' : '',
    /\n\s+at |internal error/.test(result.stderr) ? 'a stack trace' : '',
    result.stdout !== '' ? 'output on stdout' : '',
    result.changed ? 'its folder changed' : '',
  ].filter(Boolean);
  return issues.length ? `${result.id}: ${issues.join(', ')}\n  ${result.stderr.slice(0, 300).replace(/\n/g, '\n  ')}` : '';
}

describe('fuzz: every input file type, every kind of damage', () => {
  const bases: Record<FileType, { variants: () => Promise<Variant[]>; valid: (dir: string) => Promise<unknown> }> = {
    config: { variants: async () => configVariants(), valid: async (dir) => loadConfig({ flags: {}, env: {}, configFile: await written(dir, 'config.yaml', CONFIG) }) },
    exceptions: { variants: async () => exceptionsVariants(), valid: async (dir) => loadExceptions(await written(dir, 'exceptions.yaml', EXCEPTIONS), { now: new Date('2026-01-01T00:00:00Z') }) },
    controls: { variants: async () => controlsVariants(), valid: async (dir) => loadFrameworks({ controlsFile: await written(dir, 'controls.yaml', CONTROLS) }) },
    results: { variants: async () => resultsVariants(await resultsBase()), valid: async (dir) => readAll(await written(dir, 'results.json', await resultsBase())) },
    part: { variants: async () => partVariants(await partBase()), valid: async (dir) => mergeParts([{ source: 'p', path: await written(dir, 'results.part-0-of-1.json', await partBase()) }], join(dir, 'merged.json')) },
    scenario: { variants: async () => scenarioVariants(), valid: async (dir) => loadScenarioFile(await written(dir, 'scenario.json', SCENARIO)) },
  };

  it('each valid file is accepted as it is (so it is the damage that a variant is refused for)', async () => {
    for (const [type, base] of Object.entries(bases)) await expect(base.valid(await tempDir(`kra-fuzz-${type}-`)), type).resolves.toBeTruthy();
  });

  it('every variant: exit 64, one line on stderr, no stack trace, no AWS request, nothing written', async () => {
    const started = Date.now();
    const jobs: Job[] = [];
    const kinds = new Map<string, Set<string>>();
    for (const [type, base] of Object.entries(bases) as [FileType, (typeof bases)[FileType]][]) {
      const variants = await base.variants();
      kinds.set(type, new Set(variants.map((v) => v.kind)));
      jobs.push(...(await jobsFor(type, variants)));
    }
    // Every file type gets every kind of damage.
    for (const [type, seen] of kinds) expect([...seen].sort(), type).toEqual(['duplicated', 'oversized', 'reordered', 'truncated', 'type-swapped']);
    expect(jobs.length).toBeGreaterThan(100);

    const { results, stderr } = await runHarness(jobs);
    expect(results.map((r) => r.id)).toEqual(jobs.map((j) => j.id));
    const problems = results.map(problem).filter(Boolean);
    expect(problems, problems.join('\n')).toEqual([]);
    expect(stderr, 'the harness process itself wrote to stderr').toBe('');
    expect(aws.requests()).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

async function written(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Reads every key and re-judges it, as `report` does: the base document must pass both. */
async function readAll(path: string): Promise<number> {
  const reader = await openResults(path);
  const rejudge = new Rejudge(reader.header, path);
  let n = 0;
  for await (const key of reader.keys()) {
    rejudge.check(key);
    n++;
  }
  expect(rejudge.report().disagreements).toBe(0);
  return n;
}

let resultsText: string | null = null;
async function resultsBase(): Promise<string> {
  if (resultsText === null) resultsText = await readFile(await writeRun(await tempDir('kra-fuzz-base-'), KEYS), 'utf8');
  return resultsText;
}

let partText: string | null = null;
async function partBase(): Promise<string> {
  if (partText === null) partText = await readFile(await writePart(await tempDir('kra-fuzz-base-'), { index: 0, count: 1, accounts: ['111122223333'], keys: KEYS }), 'utf8');
  return partText;
}
