import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { contextCopySources, dockerfileText, readDockerfile, repoRoot } from './image.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
};

describe('Dockerfile', () => {
  it('passes the dockerfile-utils linter with every check at error severity', () => {
    const strict = ValidationSeverity.ERROR;
    const problems = validate(dockerfileText(), {
      deprecatedMaintainer: strict,
      directiveCasing: strict,
      emptyContinuationLine: strict,
      instructionCasing: strict,
      instructionCmdMultiple: strict,
      instructionEntrypointMultiple: strict,
      instructionHealthcheckMultiple: strict,
      instructionJSONInSingleQuotes: strict,
      instructionWorkdirRelative: strict,
    });
    expect(problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('builds in one stage and runs from a Node 22 bookworm-slim stage pinned to the Node that CI also tests on', () => {
    const { stages } = readDockerfile();
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const script = readFileSync(join(repoRoot, 'scripts/node22.sh'), 'utf8');
    const ciNode = /NODE22_VERSION:-(22\.\d+\.\d+)/.exec(script)?.[1];
    expect(ciNode).toBeDefined();
    for (const stage of stages) expect(stage.baseImage).toBe(`node:${ciNode}-bookworm-slim`);
  });

  it('installs with npm ci, builds, and keeps production dependencies only', () => {
    const build = readDockerfile().stages[0]!;
    const runs = build.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    // Only the product is compiled into the image (src/), never the benchmarks, scripts or test fixtures.
    expect(runs).toMatch(/npx tsc -p tsconfig\.image\.json\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    expect(runs).toContain('chmod 0755 dist/src/cli.js');
  });

  it('ships every runtime folder of the package, package.json and node_modules, and nothing from the context', () => {
    const { copies, workdir } = readDockerfile();
    expect(workdir).toBe('/app');
    expect(copies.every((c) => c.from === 'build')).toBe(true);
    const shipped = copies.flatMap((c) => c.sources).map((s) => s.replace(/^\/app\//, '')).sort();
    expect(shipped).toEqual([...packageJson.files, 'node_modules', 'package.json'].sort());
  });

  it('runs `kms-rotation-audit scan` as a non-root user with /reports as the reports root', () => {
    const image = readDockerfile();
    expect(image.entrypoint).toEqual(['kms-rotation-audit']);
    expect(image.cmd).toEqual(['scan']);
    expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(image.volumes).toContain('/reports');
    expect(image.env.KMS_ROTATION_AUDIT_REPORTS_ROOT).toBe('/reports');
    const healthchecks = image.runtime.instructions.filter((i) => i.getKeyword() === 'HEALTHCHECK').map((i) => i.getArgumentsContent());
    expect(healthchecks).toEqual(['NONE']);
  });

  it('puts the bin entry of package.json on PATH under the entrypoint name, as an executable with a node shebang', () => {
    const image = readDockerfile();
    const binName = image.entrypoint[0]!;
    expect(packageJson.bin[binName]).toBe('dist/src/cli.js');
    expect(image.runs.join('\n')).toContain(`ln -s /app/${packageJson.bin[binName]} /usr/local/bin/${binName}`);
    expect(readFileSync(join(repoRoot, 'src/cli.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('bakes in no credentials', () => {
    const text = dockerfileText();
    expect(text).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
    const image = readDockerfile();
    const declared = image.stages.flatMap((s) => s.instructions).filter((i) => ['ENV', 'ARG'].includes(i.getKeyword()));
    const names = declared.flatMap((i) => i.getArguments().map((a) => a.getValue().split('=')[0]!));
    expect(names.filter((n) => /SECRET|PASSWORD|TOKEN|ACCESS_KEY|EXTERNAL_ID|CREDENTIAL/i.test(n))).toEqual([]);
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const allowed = new Set(lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1)));

  it('is an allow-list: exclude everything, then re-include top-level names', () => {
    expect(lines[0]).toBe('*');
    expect(lines.slice(1).every((l) => /^![\w.-]+$/.test(l))).toBe(true);
  });

  it('lets through what the build reads: manifests, TypeScript config and sources, and the runtime folders', () => {
    const tsconfigImage = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.image.json'), 'utf8')) as { extends?: string; include: string[] };
    expect(tsconfigImage.include).toEqual(['src']);
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.image.json', ...tsconfigImage.include, ...packageJson.files.filter((f) => !f.startsWith('dist/')).map((f) => f.split('/')[0]!)];
    for (const name of needed) expect(allowed, name).toContain(name);
    const build = readDockerfile().stages[0]!;
    for (const source of contextCopySources(build).filter((s) => s !== '.')) expect(allowed, source).toContain(source.split('/')[0]);
  });

  it('keeps local state and secrets out of the build context', () => {
    for (const name of ['node_modules', 'dist', 'reports', '.git', '.tmp', '.env', '.aws', 'kms-rotation-audit.yaml', 'test']) expect(allowed.has(name), name).toBe(false);
  });
});

describe('runtime code', () => {
  it('imports only Node built-ins and production dependencies (the image has no devDependencies)', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.js')) files.push(path);
      }
    };
    walk(join(repoRoot, 'dist/src'));
    expect(files.length).toBeGreaterThan(0);
    const offenders: string[] = [];
    // TypeScript's own scanner finds the import and require specifiers (static and dynamic), so
    // words in comments and strings are never read as imports.
    for (const file of files) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: spec } of importedFiles) {
        if (spec.startsWith('.') || spec.startsWith('/') || isBuiltin(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in packageJson.dependencies)) offenders.push(`${file.slice(repoRoot.length + 1)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
