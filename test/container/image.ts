/**
 * The container image without a Docker engine: the Dockerfile read with dockerfile-ast, and its
 * runtime stage rebuilt as a folder tree (the COPY --from=build list applied to this checkout's
 * build output) so that the image's exact ENTRYPOINT and CMD can run here as child processes.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { DockerfileParser, type Flag, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { packageRoot } from '../../src/io/paths.js';

export const repoRoot = packageRoot;

const tempDirs: string[] = [];

/** A fresh folder under the OS temp dir, readable by everyone (mkdtemp makes 0700), removed by removeTempDirs(). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface DockerStage {
  name: string | null;
  baseImage: string;
  instructions: Instruction[];
}

export interface CopyInstruction {
  from: string | null;
  sources: string[];
  destination: string;
}

export interface RuntimeImage {
  stages: DockerStage[];
  runtime: DockerStage;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  user: string;
  workdir: string;
  volumes: string[];
  copies: CopyInstruction[];
  runs: string[];
}

export function dockerfileText(): string {
  return readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
}

/** Exec-form (JSON array) arguments of ENTRYPOINT / CMD; shell form is refused (signals would not reach node). */
function execForm(instruction: Instruction): string[] {
  const raw = instruction.getArgumentsContent() ?? '';
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`${instruction.getKeyword()} is not in exec form: ${raw}`);
  return parsed as string[];
}

export function readDockerfile(): RuntimeImage {
  const dockerfile = DockerfileParser.parse(dockerfileText());
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const asIndex = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ name: asIndex >= 0 ? (args[asIndex + 1] ?? null) : null, baseImage: args[0] ?? '', instructions: [instruction] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`Dockerfile: ${instruction.getKeyword()} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) throw new Error('Dockerfile: no FROM');
  const last = (keyword: string): Instruction | undefined => runtime.instructions.filter((i) => i.getKeyword() === keyword).at(-1);
  const entrypoint = last('ENTRYPOINT');
  const cmd = last('CMD');
  if (!entrypoint || !cmd) throw new Error('Dockerfile: the runtime stage needs ENTRYPOINT and CMD');

  const env: Record<string, string> = {};
  for (const instruction of runtime.instructions.filter((i) => i.getKeyword() === 'ENV')) {
    for (const arg of instruction.getArguments()) {
      const text = arg.getValue();
      const eq = text.indexOf('=');
      if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
    }
  }
  const copies = runtime.instructions
    .filter((i) => i.getKeyword() === 'COPY')
    .map((i) => {
      const paths = i.getArguments().map((a) => a.getValue());
      return { from: fromFlag(i), sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
    });
  return {
    stages,
    runtime,
    entrypoint: execForm(entrypoint),
    cmd: execForm(cmd),
    env,
    user: last('USER')?.getArgumentsContent() ?? '',
    workdir: last('WORKDIR')?.getArgumentsContent() ?? '/',
    volumes: runtime.instructions.filter((i) => i.getKeyword() === 'VOLUME').flatMap((i) => i.getArguments().map((a) => a.getValue())),
    copies,
    runs: runtime.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? ''),
  };
}

/** Sources a stage COPYs from the build context (not from another stage). */
export function contextCopySources(stage: DockerStage): string[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'COPY' || i.getKeyword() === 'ADD')
    .filter((i) => fromFlag(i) === null)
    .flatMap((i) => i.getArguments().map((a) => a.getValue()).slice(0, -1));
}

/** COPY --from=STAGE (flags are not arguments in dockerfile-ast). */
function fromFlag(instruction: Instruction): string | null {
  const flags = (instruction as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
  return flags.find((flag) => flag.getName() === 'from')?.getValue() ?? null;
}

/** Files of the runtime stage that only the image build makes (test/container/dockerfile.test.ts checks where). */
export const BUILD_ONLY_FILES = ['/app/sbom.cdx.json'];

/** The runtime stage's copy of the whole rootfs stage (the trimmed base) into the empty image. */
export function isRootfsCopy(copy: CopyInstruction): boolean {
  return copy.from === 'rootfs' && copy.sources.length === 1 && copy.sources[0] === '/' && copy.destination === '/';
}

export interface ImageRoot {
  /** Temp folder standing for the image's `/`. */
  root: string;
  /** Folder standing for /usr/local/bin, holding the kms-rotation-audit symlink. */
  binDir: string;
  /** Container path → host path, for the paths the image and the compose file name. */
  mounts: Map<string, string>;
}

/**
 * Rebuilds the runtime stage as a folder tree: every `COPY --from=build /app/X DEST` copies this
 * checkout's X (after `npm run build`) to DEST under the root, except node_modules (a symlink to
 * this checkout's, which also holds dev dependencies: test/container/dockerfile.test.ts checks
 * separately that runtime code imports production dependencies only). The build stage's
 * `chmod 0755 dist/src/cli.js` and the runtime's `ln -s` into /usr/local/bin are replayed.
 */
export function buildImageRoot(image: RuntimeImage): ImageRoot {
  if (!existsSync(join(repoRoot, 'dist/src/cli.js'))) throw new Error('dist/src/cli.js is missing: run `npm run build` first (npm test does)');
  // Readable by the unprivileged user the read-only test runs as.
  const root = makeTempDir('kra-image-');
  for (const copy of image.copies) {
    // `COPY --from=rootfs / /`: the base's file system (Node, Debian), for which this host stands in.
    if (isRootfsCopy(copy)) continue;
    if (copy.from !== 'build') throw new Error(`runtime COPY from ${copy.from ?? 'the context'} is not modelled here: ${copy.sources.join(' ')}`);
    for (const source of copy.sources) {
      if (!source.startsWith('/app/')) throw new Error(`runtime COPY --from=build source outside /app: ${source}`);
      const fromHost = join(repoRoot, source.slice('/app/'.length));
      // Made by the image build only (`npm sbom`): a checkout has none, and the run omits tool.sbom.
      if (BUILD_ONLY_FILES.includes(source) && !existsSync(fromHost)) continue;
      const base = posix.isAbsolute(copy.destination) ? copy.destination : posix.join(image.workdir, copy.destination);
      // `COPY a b ./`: into the folder, under each source's own name.
      const destination = copy.destination.endsWith('/') ? posix.join(base, posix.basename(source)) : base;
      const toHost = join(root, destination);
      mkdirSync(dirname(toHost), { recursive: true, mode: 0o755 });
      if (source === '/app/node_modules') symlinkSync(fromHost, toHost, 'dir');
      else cpSync(fromHost, toHost, { recursive: true });
    }
  }
  const link = /ln -s (\S+) (\S+)/.exec(image.runs.join('\n'));
  if (!link) throw new Error('runtime stage has no `ln -s TARGET LINK` for the command name');
  const [, target, linkPath] = link as unknown as [string, string, string];
  const binDir = join(root, dirname(linkPath));
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  chmodSync(join(root, target), 0o755);
  symlinkSync(join(root, target), join(root, linkPath));
  for (const dir of ['/usr', '/usr/local', '/app', '/app/dist']) if (existsSync(join(root, dir))) chmodSync(join(root, dir), 0o755);
  return { root, binDir, mounts: new Map() };
}

/** An env value naming a container path becomes the host folder mounted there. */
export function mapPaths(env: Record<string, string>, mounts: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) out[name] = mounts.get(value) ?? value;
  return out;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the image's ENTRYPOINT + args the way the container runtime does: the entrypoint is looked
 * up on PATH (the image's /usr/local/bin first), with exactly `env` and nothing of this process's
 * environment except where node lives.
 */
export function runEntrypoint(imageRoot: ImageRoot, argv: string[], env: Record<string, string>, options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const [command, ...args] = argv;
  if (!command) throw new Error('empty entrypoint');
  const path = [imageRoot.binDir, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  return new Promise((resolve, reject) => {
    // The image's own PATH names its folders; here the image root's bin folder and the host's node stand in.
    const child = spawn(command, args, { ...options, env: { ...env, PATH: path }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** docker-compose.yml as plain data (YAML merge keys resolved, as Compose does). */
export function readCompose(): ComposeFile {
  return parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

export interface ComposeVolume {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;
  target: string;
  read_only?: boolean;
}

export interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  volumes?: ComposeVolume[];
  profiles?: string[];
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, object | null>;
}

export function composeService(name: string): ComposeService {
  const service = readCompose().services[name];
  if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
}

/** A compose service's environment with only the variables it gives values to. */
export function givenEnvironment(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Finished run folders under a reports root (manifest.json present), and where `latest` points. */
export function runFolders(reportsRoot: string): { finished: string[]; latest: string | null } {
  const finished: string[] = [];
  for (const entry of readdirSync(reportsRoot, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'latest' && existsSync(join(reportsRoot, entry.name, 'manifest.json'))) finished.push(entry.name);
  }
  const latestPath = join(reportsRoot, 'latest');
  const latest = existsSync(latestPath) ? relative(realpathSync(reportsRoot), realpathSync(latestPath)) : null;
  return { finished, latest };
}
