/**
 * Lean loading (issue 15): a scan loads the SDK clients its run needs and no other. No EC2 client
 * when every region is named and enabled by default (no DescribeRegions is needed), no S3 client
 * without --upload, no Security Hub client without --publish; each is loaded when the run needs it.
 * findings.xlsx loads exceljs's streaming writer alone, not the package's main module (src/report/xlsx.ts).
 * The built CLI scans the simulator with a hook preloaded (NODE_OPTIONS=--import) that writes the
 * CommonJS modules the process loaded (require.cache: the SDK's packages are CommonJS) when it exits.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/paths.js';
import { simScenario, type Simulator } from '../../src/sim/index.js';
import { withSim } from '../engine/helpers.js';

const HOOK = `import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join('\\n')));
`;

const CLIENTS = ['client-kms', 'client-ec2', 'client-s3', 'client-securityhub'] as const;
const scenario = simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-1', rotation: { enabled: true, periodDays: 365 } }] }] });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kra-lean-'));
  await writeFile(join(dir, 'hook.mjs'), HOOK);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Loaded {
  code: number | null;
  loaded: string[];
  exceljs: { writer: boolean; whole: boolean };
}

/** Scans with `flags`; returns which of CLIENTS the process loaded, which of exceljs, and its exit code. */
async function clientsLoaded(sim: Simulator, name: string, flags: string[]): Promise<Loaded> {
  const list = join(dir, `${name}.txt`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, 'dist/src/cli.js'), 'scan', '--out', join(dir, name), '--home-region', 'eu-west-1', ...flags], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        NODE_OPTIONS: `--import ${join(dir, 'hook.mjs')}`,
        LOADED_MODULES_FILE: list,
        AWS_ENDPOINT_URL: sim.endpoint,
        AWS_ACCESS_KEY_ID: sim.baseCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: sim.baseCredentials.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const modules = (await readFile(list, 'utf8')).split('\n');
  return {
    code,
    loaded: CLIENTS.filter((client) => modules.some((path) => path.includes(`/@aws-sdk/${client}/`))),
    exceljs: { writer: modules.some((path) => path.endsWith('/exceljs/lib/stream/xlsx/workbook-writer.js')), whole: modules.some((path) => path.endsWith('/exceljs/lib/exceljs.nodejs.js')) },
  };
}

describe('a scan loads only the SDK clients it needs', () => {
  it('named default regions, no upload, no publish: KMS only', async () => {
    await withSim({ scenario }, async (sim) => {
      expect(await clientsLoaded(sim, 'named', ['--regions', 'eu-west-1,us-east-1'])).toEqual({ code: 0, loaded: ['client-kms'], exceljs: { writer: true, whole: false } });
    });
  });

  it('every region (DescribeRegions) and a Security Hub import: the EC2 and Security Hub clients too', async () => {
    await withSim({ scenario }, async (sim) => {
      expect(await clientsLoaded(sim, 'all', ['--regions', 'all', '--publish', 'securityhub'])).toEqual({ code: 0, loaded: ['client-kms', 'client-ec2', 'client-securityhub'], exceljs: { writer: true, whole: false } });
    });
  });
});
