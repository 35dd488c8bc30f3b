/**
 * Issue 12 point 14: `sim` and `demo` crashed on bad flags (`sim --host 'bad!'` and `demo --log-format
 * bogus` exited 70 with a stack trace; `sim --accounts 100000000` hung). Every bad flag of either is
 * one line naming the flag and what was expected, exit 64, at once, and nothing is written.
 */
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, oneLine, runCli, tempDir, useAwsCounter } from './helpers.js';

const aws = useAwsCounter();

async function refused(args: string[], pattern: RegExp, cwd?: string): Promise<string> {
  const started = Date.now();
  const run = await runCli(args, { endpoint: aws.endpoint, cwd, timeoutMs: 20_000 });
  const line = oneLine(run.stderr);
  expect(line).toMatch(pattern);
  expect(run.code).toBe(64);
  expect(run.stdout).toBe('');
  expect(Date.now() - started).toBeLessThan(15_000);
  return line;
}

describe('sim: every bad flag is one line, exit 64, before anything listens', () => {
  it.each([
    [['--host', 'bad!'], /^kms-rotation-audit: --host: expected an IP address or a host name \(e\.g\. 127\.0\.0\.1, ::1, localhost\), got "bad!"$/],
    [['--host', 'no-such-host.invalid'], /^kms-rotation-audit: --host no-such-host\.invalid: cannot listen there \(E[A-Z_]+\); expected an address of this machine/],
    [['--accounts', '100000000'], /^kms-rotation-audit: --accounts: expected a whole number from 1 to 100000, got "100000000"$/],
    [['--accounts', '100000', '--regions', '4', '--keys-per-region', '4'], /^kms-rotation-audit: --accounts 100000 × --regions 4 × --keys-per-region 4: expected at most 250,000 keys in all, got 1,600,000$/],
    [['--accounts', '-3'], /^kms-rotation-audit: --accounts: expected a whole number, got "-3"$/],
    [['--regions', '99'], /^kms-rotation-audit: --regions: expected a whole number from 1 to 34, got "99"$/],
    [['--keys-per-region', '1e9'], /^kms-rotation-audit: --keys-per-region: expected a whole number, got "1e9"$/],
    [['--latency-ms', '99999999'], /^kms-rotation-audit: --latency-ms: expected a whole number from 0 to 60000/],
    [['--seed', '99999999999999999999'], /^kms-rotation-audit: --seed: expected a whole number from 0 to 4294967295/],
    [['--port', '70000'], /^kms-rotation-audit: --port: expected a whole number from 0 to 65535, got "70000"$/],
    [['--access-key-id', 'AKIA\u001b[31mX'], /^kms-rotation-audit: --access-key-id and --secret-access-key: give both or neither$/],
    [['--scenario', '/nonexistent/scenario.json'], /^kms-rotation-audit: \/nonexistent\/scenario\.json: cannot read scenario file \(ENOENT\)$/],
    [['--scenario', '/dev/zero'], /^kms-rotation-audit: \/dev\/zero: cannot read scenario file \(not a regular file\)/],
    [['--bogus'], /^error: unknown option '--bogus'/],
  ])('sim %j', async (args, pattern) => {
    if (args[0] === '--bogus') {
      // commander's own message for an unknown option: one line, exit 64 (no tool prefix).
      const run = await runCli(['sim', ...args], { endpoint: aws.endpoint });
      expect(run.stderr.trimEnd().split('\n')[0]).toMatch(pattern);
      expect(run.code).toBe(64);
      return;
    }
    await refused(['sim', ...args], pattern);
  });

  it('a scenario file with generator flags next to it is refused (they would be ignored)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 's.json'), '{"accounts":[{"id":"111122223333"}]}');
    await refused(['sim', '--scenario', join(dir, 's.json'), '--accounts', '5'], /^kms-rotation-audit: --accounts: has no effect with --scenario/);
  });

  it('a scenario file that is not JSON: one line, the parser message quoted', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 's.json'), 'x\n\u001b[31m{');
    const line = await refused(['sim', '--scenario', join(dir, 's.json')], /s\.json: not valid JSON \(/);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a port in use', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      await refused(['sim', '--port', String(port)], new RegExp(`^kms-rotation-audit: --port ${port}: cannot listen on 127\\.0\\.0\\.1:${port} \\(in use\\); expected a free port, or 0 for any$`));
    } finally {
      holder.close();
    }
  });

  it('the secret is never echoed', async () => {
    const line = await refused(['sim', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE', '--secret-access-key', 'short-S3CRET!'], /^kms-rotation-audit: --secret-access-key: expected 16\.\.128 characters/);
    expect(line).not.toContain('S3CRET');
  });
});

describe('demo: every bad flag is one line, exit 64, nothing written', () => {
  it.each([
    [['--log-format', 'bogus'], /^kms-rotation-audit: --log-format: Invalid option: expected one of "auto"\|"pretty"\|"json", got "bogus"$/],
    [['--reports-root', ''], /^kms-rotation-audit: --reports-root: Too small: expected string to have >=1 characters/],
  ])('demo %j', async (args, pattern) => {
    const dir = await tempDir();
    await refused(['demo', ...args], pattern, dir);
    expect(await filesUnder(dir)).toEqual([]);
  });

  it('demo --out at a file: exit 73 naming the path, nothing written', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    const run = await runCli(['demo', '--out', join(dir, 'file')], { endpoint: aws.endpoint, cwd: dir });
    expect(oneLine(run.stderr)).toMatch(/--out .*\/file: cannot write output \(it is a file, not a folder\)/);
    expect(run.code).toBe(73);
    expect(await filesUnder(dir)).toEqual(['file']);
  });
});
