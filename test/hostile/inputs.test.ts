/**
 * Issue 12: hostile and careless input through the built CLI. Each case asserts the exit status,
 * one line on stderr (no stack trace), no AWS request (a counting endpoint stands in for AWS), and
 * nothing written where it should not be.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeKey } from '../helpers/results.js';
import { keysOf, writePart } from '../app/helpers.js';
import { filesUnder, oneLine, runCli, tempDir, useAwsCounter } from './helpers.js';

const aws = useAwsCounter();

const cli = (args: string[], env: Record<string, string> = {}, cwd?: string) => runCli(args, { endpoint: aws.endpoint, env, cwd });

/** Exit `code`, one line matching `pattern`, no AWS request. */
async function refused(args: string[], code: number, pattern: RegExp, env: Record<string, string> = {}, cwd?: string): Promise<string> {
  const before = aws.requests();
  const run = await cli(args, env, cwd);
  const line = oneLine(run.stderr);
  expect(line).toMatch(pattern);
  expect(run.code).toBe(code);
  expect(aws.requests() - before).toBe(0);
  return line;
}

describe('names that become paths (points 1, 3, 13)', () => {
  it('a part whose scan id climbs out of the reports root is refused, and nothing is written outside it (point 1)', async () => {
    const dir = await tempDir();
    const root = join(dir, 'reports');
    const part = await writePart(join(dir, 'parts'), { index: 0, count: 1, scanId: '../../../../../escape' });
    await refused(['report', '--from', part], 64, /results\.part-0-of-1\.json: damaged results header: header\.scanId: expected 1\.\.128 letters.*got "\.\.\/\.\.\//, {}, dir);
    await refused(['report', '--from', join(dir, 'parts'), '-c', await config(dir, `reportsRoot: ${root}\n`)], 64, /header\.scanId/, {}, dir);
    expect(await filesUnder(dir)).toEqual(['config.yaml', 'parts/results.part-0-of-1.json']);
  });

  it('a part whose scan id is "latest" is refused before anything is written (point 3)', async () => {
    const dir = await tempDir();
    const part = await writePart(join(dir, 'parts'), { index: 0, count: 1, scanId: 'latest' });
    await refused(['report', '--from', part, '-c', await config(dir, `reportsRoot: ${join(dir, 'reports')}\n`)], 64, /header\.scanId: expected a name other than "latest"/);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('a real folder named latest in the reports root is refused before the scan (point 3)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'reports', 'latest'), { recursive: true });
    await refused(['scan', '--reports-root', join(dir, 'reports'), '--home-region', 'us-east-1'], 64, /reports\/latest is a folder, not the "latest" symlink/);
  });

  it.each([
    ['a shard count of 1e9', { index: 0, count: 1_000_000_000 }, /header\.parameters\.shard\.count: Too big/],
    ['a string shard index', { index: '0', count: 2 }, /header\.parameters\.shard\.index: Invalid input: expected number, received string/],
    ['an index past the count', { index: 3, count: 2 }, /header\.parameters\.shard: expected a shard index K below the shard count N/],
  ])('a part header with %s is refused (point 13)', async (_what, shard, pattern) => {
    const dir = await tempDir();
    const part = await writePart(join(dir, 'p'), { index: 0, count: 2, header: { parameters: { ...(await import('../helpers/results.js')).makeHeader().parameters, shard: shard as never } } });
    await refused(['report', '--from', part, join(dir, 'missing.part-1-of-2.json')], 64, pattern);
  });

  it('a part file name with shard numbers out of bounds is not taken for a part', async () => {
    const { partOfFileName } = await import('../../src/core/run-files.js');
    expect(partOfFileName('results.part-0-of-2.json')).toEqual({ index: 0, count: 2 });
    expect(partOfFileName('results.part-0-of-1000000000.json')).toBeNull();
    expect(partOfFileName('results.part-2-of-2.json')).toBeNull();
  });
});

async function config(dir: string, text: string, name = 'config.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n';

describe('YAML alias bombs (point 5)', () => {
  it.each([
    ['config file', (f: string) => ['scan', '-c', f]],
    ['exceptions register', (f: string) => ['scan', '--exceptions', f, '--home-region', 'us-east-1']],
    ['controls file', (f: string) => ['scan', '--controls', f, '--home-region', 'us-east-1']],
  ])('in the %s: exit 64 naming the file', async (_what, args) => {
    const dir = await tempDir();
    const file = await config(dir, BOMB, 'bomb.yaml');
    await refused([...args(file), '--out', join(dir, 'out')], 64, /bomb\.yaml: invalid YAML \(its aliases expand too far/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('bad output paths: exit 73 naming the path and the uid, before any AWS call (point 6)', () => {
  it.each([
    ['--out at a file', (d: string) => ['--out', join(d, 'file')], /--out .*\/file: cannot write output \(it is a file, not a folder\) as uid \d+/],
    ['--out below a file', (d: string) => ['--out', join(d, 'file', 'run')], /--out .*\/file\/run: cannot write output \(a part of the path is a file, not a folder\)/],
    ['--out /dev/null', () => ['--out', '/dev/null'], /--out \/dev\/null: cannot write output \(it is a device, not a folder\)/],
    ['--reports-root at a file', (d: string) => ['--reports-root', join(d, 'file')], /--reports-root .*\/file: cannot write output \(it is a file/],
  ])('%s', async (_what, args, pattern) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await refused(['scan', '--home-region', 'us-east-1', ...args(dir)], 73, pattern);
  });

  it.skipIf(process.getuid?.() === 0)('a folder this uid cannot write', async () => {
    const dir = await tempDir();
    const { chmod } = await import('node:fs/promises');
    await mkdir(join(dir, 'ro'));
    await chmod(join(dir, 'ro'), 0o500);
    await refused(['scan', '--home-region', 'us-east-1', '--out', join(dir, 'ro', 'run')], 73, /cannot write output \(.*permission denied\) as uid \d+/);
  });

  // The container case: a /reports bind mount owned by another uid. Run as an unprivileged uid
  // (root writes anywhere), against a folder owned by a third one.
  it.runIf(process.getuid?.() === 0)('a folder owned by another uid: the line names its owner and both ways out (chown, or --user)', async () => {
    const dir = await tempDir();
    const { chmod, chown } = await import('node:fs/promises');
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'reports'));
    await chown(join(dir, 'reports'), 4242, 4242);
    const before = aws.requests();
    const run = await runCli(['scan', '--home-region', 'us-east-1', '--reports-root', join(dir, 'reports')], { endpoint: aws.endpoint, cwd: dir, uid: 65534, gid: 65534 });
    const line = oneLine(run.stderr);
    expect(run.code).toBe(73);
    expect(aws.requests() - before).toBe(0);
    expect(line).toBe(
      `kms-rotation-audit: --reports-root ${join(dir, 'reports')}: cannot write output (owned by uid 4242, mode 0755: permission denied) as uid 65534; chown it to uid 65534, or run as its owner (container: --user 4242:4242; compose: AUDIT_UID=4242 AUDIT_GID=4242)`,
    );
  });

  it('report --from s3://… into an unwritable reports root: refused before the first S3 call (the parts are downloaded there)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await refused(['report', '--from', 's3://example-bucket/parts/run-1/', '--reports-root', join(dir, 'file')], 73, /--reports-root .*\/file: cannot write output \(it is a file, not a folder\)/);
    await refused(['report', '--from', 's3://example-bucket/parts/run-1/', '--out', join(dir, 'file', 'merged')], 73, /--out .*\/file\/merged: cannot write output \(a part of the path is a file/);
  });

  it('report --out at a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    const part = await writePart(join(dir, 'r'), { index: 0, count: 1 });
    const results = join(dir, 'r', 'results.json');
    await writeFile(results, (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null'));
    await refused(['report', '--from', results, '--out', join(dir, 'file')], 73, /--out .*\/file: cannot write output/);
  });
});

describe('damaged results files (point 7)', () => {
  async function results(dir: string, edit: (lines: string[]) => void): Promise<string> {
    const part = await writePart(join(dir, 'r'), { index: 0, count: 1, keys: keysOf('111122223333', 4) });
    const lines = (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null').split('\n');
    edit(lines);
    const path = join(dir, 'r', 'results.json');
    await writeFile(path, lines.join('\n'));
    return path;
  }

  it.each([
    ['a duplicate key', (l: string[]) => l.splice(3, 0, l[2]!), /results\.json:4: key "111122223333\/eu-west-1\/3333-0000" is given twice/],
    ['keys out of order', (l: string[]) => ([l[2], l[3]] = [l[3]!, l[2]!]), /results\.json:4: key "[^"]+" is out of order/],
    ['a string aliases', (l: string[]) => (l[2] = l[2]!.replace('"aliases":[]', '"aliases":"alias/x"')), /results\.json:3: damaged key \(key "3333-0000"\): aliases: expected an array of strings, got "alias\/x"/],
    ['status BOGUS', (l: string[]) => (l[3] = l[3]!.replace('"status":"FAIL"', '"status":"BOGUS"')), /results\.json:4: damaged key \(key "3333-0001"\): status: expected one of PASS, FAIL, EXCEPTION, ERROR, NOT_APPLICABLE, got "BOGUS"/],
    ['a truncated document', (l: string[]) => l.splice(4), /truncated results document/],
    ['escape bytes in a non-JSON line', (l: string[]) => (l[2] = '\u001b[31m\u202eboom'), /results\.json:3: invalid JSON in results document/],
  ])('%s: exit 64 naming the line and key, nothing written', async (_what, edit, pattern) => {
    const dir = await tempDir();
    const path = await results(dir, edit);
    const line = await refused(['report', '--from', path], 64, pattern);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(await filesUnder(join(dir, 'r'))).toEqual(['results.json', 'results.part-0-of-1.json']);
  });

  it('report --from /dev/zero exits 64, not 1', async () => {
    await refused(['report', '--from', '/dev/zero'], 64, /^kms-rotation-audit: \/dev\/zero: cannot read results document \(not a regular file\)$/);
  });
});

describe('scope, previous run, region, secrets (points 8, 10, 11, 12)', () => {
  it('--accounts X --exclude-accounts X is a usage error naming the filters (point 8)', async () => {
    const dir = await tempDir();
    await refused(['scan', '--accounts', '111122223333', '--exclude-accounts', '111122223333', '--out', join(dir, 'o')], 64, /--accounts 111122223333 with --exclude-accounts 111122223333: no account left in scope/);
  });

  it('--previous equal to --out is refused (point 10)', async () => {
    const dir = await tempDir();
    const part = await writePart(join(dir, 'run'), { index: 0, count: 1 });
    await writeFile(join(dir, 'run', 'results.json'), (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null'));
    await refused(['scan', '--home-region', 'us-east-1', '--out', join(dir, 'run'), '--previous', join(dir, 'run')], 64, /--previous .*: that is this run's own folder/);
  });

  it.each(['AWS_REGION', 'AWS_DEFAULT_REGION'])('%s=bogus is a usage error naming the variable (point 12)', async (name) => {
    const dir = await tempDir();
    await refused(['scan', '--out', join(dir, 'o')], 64, new RegExp(`^kms-rotation-audit: ${name}: expected an AWS region name such as eu-west-1, got "bogus"`), { [name]: 'bogus' });
  });

  it('an invalid secret is never echoed: --external-id through flag, environment and file; remediate --external-id (point 11)', async () => {
    const dir = await tempDir();
    const secret = 'S3CRET-value with spaces!';
    const file = await config(dir, `externalId: "${secret}"\n`);
    const runs = [
      await cli(['scan', '--external-id', secret, '--out', join(dir, 'a')]),
      await cli(['scan', '--out', join(dir, 'b')], { KMS_ROTATION_AUDIT_EXTERNAL_ID: secret }),
      await cli(['scan', '-c', file, '--out', join(dir, 'c')]),
      await cli(['scan', `--external-id=${secret}`, '--print-config']),
    ];
    const part = await writePart(join(dir, 'r'), { index: 0, count: 1, keys: [makeKey({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', status: 'FAIL', rotationEnabled: false, rotationPeriodDays: null })] });
    await writeFile(join(dir, 'r', 'results.json'), (await readFile(part, 'utf8')).replace('"shard":{"index":0,"count":1}', '"shard":null'));
    runs.push(await cli(['remediate', '--from', join(dir, 'r', 'results.json'), '--external-id', secret]));
    for (const run of runs) {
      expect(run.code).toBe(64);
      expect(oneLine(run.stderr)).toMatch(/external-id|externalId|EXTERNAL_ID/);
      expect(run.stderr + run.stdout).not.toContain('S3CRET');
    }
  });
});

describe('bounded text end to end (point 4)', () => {
  it('report --from a hand-made results file with 100 kB descriptions, aliases and account names: quick, within 256 MB of heap, text cut with the marker', async () => {
    const { writeRun } = await import('../helpers/results.js');
    const { accountCoverage } = await import('../app/helpers.js');
    const dir = await tempDir();
    const big = (c: string) => c.repeat(100_000);
    const keys = Array.from({ length: 40 }, (_, i) =>
      makeKey({ keyId: `key-${String(i).padStart(4, '0')}`, accountName: big('n'), description: big('d'), aliases: [`alias/${big('a')}`], status: 'PASS' }),
    );
    const results = await writeRun(join(dir, 'run'), keys, { coverage: { accounts: [{ ...accountCoverage('111122223333'), accountName: big('n') }], regions: [] } });
    const raw = await readFile(results);
    expect(raw.length).toBeGreaterThan(12_000_000);
    const started = Date.now();
    // The audit: 100 kB names made the PDF step run 318 s and die at 4.4 GB. A heap cap of 256 MB fails the run if that comes back.
    const run = await runCli(['report', '--from', results], { endpoint: aws.endpoint, env: { NODE_OPTIONS: '--max-old-space-size=256' }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const findings = (await readFile(join(dir, 'run', 'findings.csv'), 'utf8')).split('\r\n');
    expect(findings.length).toBe(keys.length + 2);
    // Every row is bounded: description 8,192, alias 256, account name 128 (and the markers).
    for (const row of findings.slice(1, -1)) expect(row.length).toBeLessThan(12_000);
    expect(findings[1]).toContain('[cut: 100000 characters, longer than AWS allows]');
    // The run folder keeps the raw document.
    expect((await readFile(results)).equals(raw)).toBe(true);
  }, 90_000);
});
