import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BUILD_ONLY_FILES, contextCopySources, dockerfileText, isRootfsCopy, readDockerfile, repoRoot, type DockerStage } from './image.js';

const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
};

const runsOf = (stage: DockerStage): string => stage.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '').join('\n');
const stage = (name: string): DockerStage => readDockerfile().stages.find((s) => s.name === name)!;

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

  it('has no parser directive: a `# syntax=` line makes BuildKit fetch a frontend image first, which breaks offline builds', () => {
    const leading = dockerfileText().split('\n').filter((line) => line.startsWith('#'));
    expect(leading.filter((line) => /^#\s*(syntax|escape|check)\s*=/i.test(line))).toEqual([]);
  });

  it('builds in one stage, trims the base in another, and runs from an empty image holding both; Node pinned to what CI also tests on', () => {
    const { stages, copies } = readDockerfile();
    expect(stages.map((s) => s.name)).toEqual(['build', 'rootfs', 'runtime']);
    const script = readFileSync(join(repoRoot, 'scripts/node22.sh'), 'utf8');
    const ciNode = /NODE22_VERSION:-(22\.\d+\.\d+)/.exec(script)?.[1];
    expect(ciNode).toBeDefined();
    for (const name of ['build', 'rootfs']) expect(stage(name).baseImage).toBe(`node:${ciNode}-bookworm-slim`);
    expect(stage('runtime').baseImage).toBe('scratch');
    // The trimmed base is the first layer; the base's Node version and PATH are set again.
    expect(isRootfsCopy(copies[0]!)).toBe(true);
    expect(readDockerfile().env.NODE_VERSION).toBe(ciNode);
    expect(readDockerfile().env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it('rootfs: drops what only building needs (npm, npx, corepack, yarn, C headers), checks node still runs, adds the user and /reports', () => {
    const runs = runsOf(stage('rootfs'));
    for (const path of ['/usr/local/lib/node_modules', '/usr/local/include/node', '/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack', '/usr/local/bin/yarn', '/opt/yarn-v*']) expect(runs).toContain(path);
    expect(runs).toMatch(/^rm -rf /);
    expect(runs).toContain('node --version');
    expect(runs).toContain('useradd --uid 10001 --gid 10001');
    expect(runs).toContain('chown 10001:10001 /reports');
  });

  it('installs with npm ci, builds, writes the SBOM of production dependencies, keeps production dependencies only, trims them', () => {
    const runs = runsOf(stage('build'));
    expect(runs).toMatch(/npm ci\b/);
    // Only the product is compiled into the image (src/), never the benchmarks, scripts or test fixtures.
    expect(runs).toMatch(/npx tsc -p tsconfig\.image\.json\b/);
    expect(runs).toContain('chmod 0755 dist/src/cli.js');
    // The SBOM describes the pruned tree, read against a package.json without devDependencies,
    // which is put back before the stage ends (the image ships the project's own package.json).
    const order = ['npm prune --omit=dev', 'cp package.json /tmp/package.json', 'npm pkg delete devDependencies', 'npm sbom --sbom-format cyclonedx > sbom.cdx.json', 'mv /tmp/package.json package.json'].map((step) => runs.indexOf(step));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs).not.toContain('--omit dev'); // npm sbom --omit dev also drops production packages a dev tool shares
    // The empty scope folders npm prune leaves, then what Node never loads.
    expect(runs).toContain("find node_modules -mindepth 1 -maxdepth 1 -name '@*' -type d -empty -delete");
    expect(runs).toContain('-name dist-types -prune -exec rm -rf {} +');
    expect(runs).toContain("-name '*.d.ts'");
    expect(runs).toContain("-name '*.map'");
  });

  it('ships every runtime folder of the package, package.json, its SBOM and node_modules from the build, and nothing from the context', () => {
    const { copies, workdir } = readDockerfile();
    expect(workdir).toBe('/app');
    const fromBuild = copies.filter((c) => !isRootfsCopy(c));
    expect(fromBuild.every((c) => c.from === 'build')).toBe(true);
    const shipped = fromBuild.flatMap((c) => c.sources).map((s) => s.replace(/^\/app\//, '')).sort();
    expect(shipped).toEqual([...packageJson.files, 'node_modules', 'package.json', 'sbom.cdx.json'].sort());
    // The SBOM lands beside package.json, where src/report/tool-sbom.ts looks for it.
    expect(BUILD_ONLY_FILES).toEqual(['/app/sbom.cdx.json']);
    expect(fromBuild.find((c) => c.sources.includes('/app/sbom.cdx.json'))?.destination).toBe('./');
    expect(readFileSync(join(repoRoot, 'src/report/tool-sbom.ts'), 'utf8')).toContain("TOOL_SBOM_NAME = 'sbom.cdx.json'");
  });

  it('runs `kms-rotation-audit scan` as a non-root user with /reports as the reports root; no VOLUME, no HEALTHCHECK', () => {
    const image = readDockerfile();
    expect(image.entrypoint).toEqual(['kms-rotation-audit']);
    expect(image.cmd).toEqual(['scan']);
    expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(image.env.KMS_ROTATION_AUDIT_REPORTS_ROOT).toBe('/reports');
    // A VOLUME gives every container that mounts nothing there an anonymous volume (the compose sim
    // service got one on every `up`); HEALTHCHECK is not in the OCI image format (podman warns).
    expect(image.volumes).toEqual([]);
    expect(image.runtime.instructions.filter((i) => ['HEALTHCHECK', 'VOLUME'].includes(i.getKeyword()))).toEqual([]);
  });

  it('labels the image with the OCI annotations: source, version and revision (build args with defaults), licenses', () => {
    const runtime = readDockerfile().runtime;
    const args = Object.fromEntries(
      runtime.instructions
        .filter((i) => i.getKeyword() === 'ARG')
        .map((i) => (i.getArgumentsContent() ?? '').split('='))
        .map(([name, value]) => [name, value]),
    );
    expect(args).toEqual({ VERSION: packageJson.version, REVISION: 'unknown' });
    const labels: Record<string, string> = {};
    for (const instruction of runtime.instructions.filter((i) => i.getKeyword() === 'LABEL')) {
      for (const match of (instruction.getArgumentsContent() ?? '').matchAll(/([\w.]+)="([^"]*)"/g)) labels[match[1]!] = match[2]!;
    }
    const schemaId = (JSON.parse(readFileSync(join(repoRoot, 'config.schema.json'), 'utf8')) as { $id: string }).$id;
    expect(labels['org.opencontainers.image.source']).toBe(schemaId.replace(/\/config\.schema\.json$/, ''));
    expect(labels['org.opencontainers.image.version']).toBe('${VERSION}');
    expect(labels['org.opencontainers.image.revision']).toBe('${REVISION}');
    expect(labels['org.opencontainers.image.licenses']).toBe(packageJson.license);
    expect(labels['org.opencontainers.image.base.name']).toBe(`docker.io/library/${stage('rootfs').baseImage}`);
  });

  it('caps the V8 heap below 2 GB, so the heap grows by less than twice its live data between full collections', () => {
    // The benchmarks scan with the same options (bench/node-options.ts); scripts/container-test.sh
    // checks the limit node reports inside the built image.
    const options = readDockerfile().env.NODE_OPTIONS ?? '';
    const cap = /^--max-old-space-size=(\d+)$/.exec(options);
    expect(cap, `NODE_OPTIONS=${options}`).not.toBeNull();
    expect(Number(cap![1])).toBeGreaterThanOrEqual(512); // the 100,000-key report needs well under that
    expect(Number(cap![1])).toBeLessThan(2048);
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
