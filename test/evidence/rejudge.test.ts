/**
 * Re-judgement: a results.json whose stored status was edited after the scan is refused by
 * `report --from` (naming the key), rendered as a tampering finding with --allow-tampered, and
 * reported by `verify`.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { UsageError } from '../../src/core/errors.js';
import { verifyRunFolder } from '../../src/app/verify.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { writeFixture } from '../fixtures/results-fixture.js';
import { evidenceScenario, scanInto, tempDir, writeKeyFile } from './helpers.js';

const FAILING_ARN = 'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-0000-4000-8000-000000000001';
const EXCEPTED_ARN = 'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-0000-4000-8000-000000000003';

let sim: Simulator;
let scanned: string;
let keyFile: string;
beforeAll(async () => {
  sim = await startSimulator({ scenario: evidenceScenario() });
  const root = await tempDir();
  keyFile = (await writeKeyFile(root, 'ed25519')).path;
  scanned = join(root, 'run');
  await scanInto(sim, scanned, { signKeyFile: keyFile, failOn: 'never' });
});
afterAll(async () => sim.stop());

async function tamperedCopy(edit: (line: string) => string): Promise<string> {
  const dir = join(await tempDir(), 'run');
  await cp(scanned, dir, { recursive: true });
  const path = join(dir, 'results.json');
  const lines = (await readFile(path, 'utf8')).split('\n');
  await writeFile(path, lines.map(edit).join('\n'));
  return dir;
}

const setStatus = (arn: string, status: string) => (line: string) => (line.includes(`"keyArn":"${arn}"`) ? line.replace(/"status":"[A-Z_]+"/, `"status":"${status}"`) : line);

describe('re-judging on re-render', () => {
  it('a scan re-renders as it is: every status agrees with its facts (the register included)', async () => {
    const dir = await tamperedCopy((line) => line);
    await runReportCommand({ from: [join(dir, 'results.json')], sign: { signKeyFile: keyFile } });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { rejudge: unknown };
    expect(manifest.rejudge).toEqual({ keys: 4, disagreements: 0, renderedAnyway: false });
    expect((await verifyRunFolder(dir)).problems).toEqual([]);
  });

  it('a FAIL edited to PASS is refused by report --from, naming the key, before anything is written', async () => {
    const dir = await tamperedCopy(setStatus(FAILING_ARN, 'PASS'));
    const before = await readFile(join(dir, 'report.pdf'));
    const error = await runReportCommand({ from: [join(dir, 'results.json')] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(new RegExp(`1 key\\(s\\) carry a status their own facts do not give .*key ${FAILING_ARN}: stored PASS, its facts give FAIL \\(Automatic key rotation is disabled`));
    // Nothing re-rendered: the old PDF and manifest are still there, byte for byte.
    expect((await readFile(join(dir, 'report.pdf'))).equals(before)).toBe(true);
    await expect(readFile(join(dir, 'manifest.json'))).resolves.toBeTruthy();
  });

  it('verify reports the same key (and the digest of the edited results.json)', async () => {
    const dir = await tamperedCopy(setStatus(FAILING_ARN, 'PASS'));
    const outcome = await verifyRunFolder(dir);
    expect(outcome.valid).toBe(false);
    expect(outcome.problems).toContainEqual(expect.stringMatching(/^results\.json: SHA-256 .* differs from/));
    expect(outcome.problems).toContainEqual(expect.stringContaining(`results.json: key ${FAILING_ARN}: stored PASS, its facts give FAIL`));
  });

  it('an EXCEPTION the register does not give, and a FAIL hidden as NOT_APPLICABLE, are caught too', async () => {
    const dir = await tamperedCopy((line) => setStatus(EXCEPTED_ARN, 'FAIL')(setStatus(FAILING_ARN, 'NOT_APPLICABLE')(line)));
    const message = String(await runReportCommand({ from: [join(dir, 'results.json')] }).catch((e: unknown) => (e as Error).message));
    expect(message).toMatch(/2 key\(s\)/);
    expect(message).toContain(`key ${FAILING_ARN}: stored NOT_APPLICABLE, its facts give FAIL`);
    expect(message).toContain(`key ${EXCEPTED_ARN}: stored FAIL, its facts give EXCEPTION (covered by exception EX-2026-001)`);
  });

  it('with --allow-tampered it renders and records the finding in the manifest; verify still names the key', async () => {
    const dir = await tamperedCopy(setStatus(FAILING_ARN, 'PASS'));
    await runReportCommand({ from: [join(dir, 'results.json')], allowTampered: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { rejudge: unknown; signer: unknown };
    expect(manifest.rejudge).toEqual({ keys: 4, disagreements: 1, renderedAnyway: true });
    expect(manifest.signer).toBeNull(); // re-rendered without a signer: the old signature is gone, not left stale
    // The PDF's wording of the finding: test/evidence/integrity-page.system.test.ts (needs pdftotext).
    // The folder is consistent again by digest, but verify still names the key (and the missing signature).
    const outcome = await verifyRunFolder(dir);
    expect(outcome.problems).toEqual([expect.stringMatching(/^manifest\.json: not signed/), expect.stringContaining(`key ${FAILING_ARN}: stored PASS, its facts give FAIL`)]);
  });

  it('the synthetic report fixture, which carries an EXCEPTION with no register, is refused as it is', async () => {
    const dir = await tempDir();
    await writeFixture(join(dir, 'results.json'));
    await expect(runReportCommand({ from: [join(dir, 'results.json')] })).rejects.toThrow(/2 key\(s\) carry a status .*stored EXCEPTION, its facts give FAIL/);
  });
});
