/**
 * --publish securityhub end to end: real scans (runScanJob) against the simulator, whose Security
 * Hub keeps what BatchImportFindings sent (src/sim/securityhub/service.ts).
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { BATCH_SIZE, PUBLISH_FILE } from '../../src/publish/securityhub.js';
import { simScenario, startSimulator, type SecurityHubSimOptions, type Simulator } from '../../src/sim/index.js';
import { loadModel, validateShape } from '../helpers/aws-model.js';
import { fastTiming, memoryLogger } from '../engine/helpers.js';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const model = loadModel('securityhub-2018-10-26.json.gz');

let sim: Simulator | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

/** 130 keys in the member account (more than one batch), 3 in the administrator's; every 3rd without rotation. */
async function start(securityHub: SecurityHubSimOptions = {}): Promise<Simulator> {
  const keys = (n: number, region: string) => Array.from({ length: n }, (_, i) => ({ region, rotation: { enabled: i % 3 !== 0 }, description: i === 0 ? '<img src=x onerror=alert(1)>' : `key ${i}` }));
  sim = await startSimulator({
    scenario: simScenario({ managementAccountId: ADMIN, accounts: [{ id: ADMIN, keys: keys(3, 'us-east-1') }, { id: MEMBER, keys: [...keys(100, 'us-east-1'), ...keys(30, 'eu-west-1')] }] }),
    securityHub,
  });
  return sim;
}

async function scan(s: Simulator, root: string, extra: Partial<Config> = {}) {
  const config = configSchema.parse({ reportsRoot: root, publish: ['securityhub'], logFormat: 'json', progress: false, homeRegion: 'us-east-1', regions: ['us-east-1', 'eu-west-1'], ...extra }) as Config;
  const logger = memoryLogger();
  const run = await runScanJob(config, { env: {}, logger: logger as never, deps: { endpoint: s.endpoint, credentials: async () => s.baseCredentials, timing: fastTiming } });
  return { ...run, logger };
}

describe('--publish securityhub', () => {
  it('two consecutive scans leave exactly one finding per key: fixed keys PASSED/RESOLVED, deleted keys ARCHIVED', async () => {
    const s = await start();
    const root = await mkdtemp(join(tmpdir(), 'kra-sh-'));
    const first = await scan(s, root);
    expect(first.exitCode).toBe(1); // FAIL findings, nothing wrong with the publish
    const hub = () => s.securityHub.findings(ADMIN, 'us-east-1');
    expect(s.securityHub.hubs()).toEqual([`${ADMIN}|us-east-1`]); // one aggregation region of the administrator
    expect(hub()).toHaveLength(133);
    const requests = s.securityHub.requests();
    expect(requests.every((r) => r.findings <= BATCH_SIZE)).toBe(true);
    expect(requests.map((r) => r.findings)).toEqual([100, 33]);
    // What was stored is what was sent: it conforms to the model.
    for (const f of hub()) expect(validateShape(model, 'AwsSecurityFinding', f.finding)).toEqual([]);
    const failing = hub().filter((f) => f.Compliance?.Status === 'FAILED');
    expect(failing).toHaveLength(45);
    expect(failing.every((f) => f.Workflow.Status === 'NEW' && f.RecordState === 'ACTIVE')).toBe(true);
    expect(new Set(hub().map((f) => f.AwsAccountId))).toEqual(new Set([ADMIN, MEMBER]));

    // Between the runs: fix two failing keys, delete one failing and one passing key of the member.
    const member = s.scenario.accounts.find((a) => a.id === MEMBER)!;
    const failingKeys = member.keys.filter((k) => !k.rotation.enabled);
    const fixed = failingKeys.slice(0, 2);
    for (const k of fixed) k.rotation.enabled = true;
    const deleted = [failingKeys[2]!, member.keys.find((k) => k.rotation.enabled && !fixed.includes(k))!];
    member.keys = member.keys.filter((k) => !deleted.includes(k));
    s.reindex();

    const second = await scan(s, root);
    expect(second.exitCode).toBe(1);
    const byArn = new Map(hub().map((f) => [String((f.finding.Resources as { Id: string }[])[0]!.Id), f]));
    expect(hub()).toHaveLength(133); // one finding per key ever seen: no duplicates
    expect(new Set(hub().map((f) => f.Id)).size).toBe(133);
    const arn = (k: { keyId: string; region: string }) => `arn:aws:kms:${k.region}:${MEMBER}:key/${k.keyId}`;
    for (const k of fixed) {
      const f = byArn.get(arn(k))!;
      expect([f.Compliance?.Status, f.Workflow.Status, f.RecordState]).toEqual(['PASSED', 'RESOLVED', 'ACTIVE']);
    }
    for (const k of deleted) {
      const f = byArn.get(arn(k))!;
      expect(f.RecordState).toBe('ARCHIVED');
      expect(f.Workflow.Status).toBe('RESOLVED');
    }
    const stillFailing = hub().filter((f) => f.Compliance?.Status === 'FAILED' && f.RecordState === 'ACTIVE');
    expect(stillFailing).toHaveLength(42);
    expect(stillFailing.every((f) => f.Workflow.Status === 'NEW')).toBe(true);
    const record = JSON.parse(await readFile(join(second.outDir, PUBLISH_FILE), 'utf8'));
    expect(record).toMatchObject({ region: 'us-east-1', productAccountId: ADMIN, active: 131, archived: 2, imported: 133, failed: [], error: null });
    const manifest = JSON.parse(await readFile(join(second.outDir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { name: string }) => f.name)).toContain(PUBLISH_FILE);
  });

  it('retries FailedFindings and reports the ones that never go in (exit 2)', async () => {
    const s = await start({ transientFailures: 7 });
    const root = await mkdtemp(join(tmpdir(), 'kra-sh-'));
    const ok = await scan(s, root);
    expect(s.securityHub.findings(ADMIN, 'us-east-1')).toHaveLength(133);
    expect(s.securityHub.requests().length).toBe(3); // 100 + 33, then the 7 retried
    expect(ok.exitCode).toBe(1);

    const bad = s.securityHub.findings(ADMIN, 'us-east-1')[0]!.Id;
    s.securityHub.setOptions({ alwaysFail: [bad] });
    const run = await scan(s, root);
    expect(run.exitCode).toBe(2);
    const record = JSON.parse(await readFile(join(run.outDir, PUBLISH_FILE), 'utf8'));
    expect(record.failed).toEqual([{ id: bad, errorCode: 'InvalidInput', errorMessage: expect.any(String) }]);
    expect(run.logger.records.some((r) => r.level === 'error' && /rejected 1 finding/.test(String(r.msg)))).toBe(true);
  });

  it('Security Hub not enabled or access denied is a clear error recorded in the run, not a crash', async () => {
    const cases: [SecurityHubSimOptions, string][] = [[{ notEnabled: [`${ADMIN}|us-east-1`] }, 'InvalidAccessException'], [{ denied: [`${ADMIN}|*`] }, 'AccessDeniedException']];
    for (const [options, code] of cases) {
      const s = await start(options);
      const root = await mkdtemp(join(tmpdir(), 'kra-sh-'));
      const run = await scan(s, root);
      expect(run.exitCode).toBe(2);
      const record = JSON.parse(await readFile(join(run.outDir, PUBLISH_FILE), 'utf8'));
      expect(record.error.code).toBe(code);
      expect(record.error.message).toMatch(/Security Hub in us-east-1 refused the import for account 111111111111/);
      expect(record.requests).toBe(1); // stopped at the first refusal
      expect(s.securityHub.hubs()).toEqual([]);
      // The run itself finished: reports and manifest are there.
      expect(await readdir(run.outDir)).toEqual(expect.arrayContaining(['manifest.json', 'report.pdf', 'findings.csv', PUBLISH_FILE]));
      expect(run.logger.records.some((r) => r.level === 'error' && String(r.msg).includes(code))).toBe(true);
      await s.stop();
      sim = null;
    }
  });

  it('--security-hub-region imports into that region; a bad region name is a usage error before any call', async () => {
    const s = await start();
    const run = await scan(s, await mkdtemp(join(tmpdir(), 'kra-sh-')), { securityHubRegion: 'eu-west-1' });
    expect(run.exitCode).toBe(1);
    expect(s.securityHub.hubs()).toEqual([`${ADMIN}|eu-west-1`]);
    expect(() => configSchema.parse({ publish: ['securityhub'], securityHubRegion: 'mars' })).toThrow(/region/);
    expect(() => configSchema.parse({ publish: ['splunk'] })).toThrow();
  });

  it('a sharded run publishes once, at the merge of its parts, not from the shards', async () => {
    const s = await start();
    const root = await mkdtemp(join(tmpdir(), 'kra-sh-'));
    for (const shard of ['0/2', '1/2']) {
      const part = await scan(s, root, { shard, scanId: 'nightly-sh' });
      expect(part.logger.records.some((r) => r.msg?.startsWith('a shard does not publish'))).toBe(true);
    }
    expect(s.securityHub.requests()).toEqual([]);
    const config = configSchema.parse({ reportsRoot: root, publish: ['securityhub'], homeRegion: 'us-east-1', previous: null }) as Config;
    const logger = memoryLogger();
    const merged = await runReportCommand({ from: [join(root, 'nightly-sh')], merge: config, logger: logger as never, deps: { endpoint: s.endpoint, credentials: async () => s.baseCredentials, timing: fastTiming } });
    expect(merged.exitCode).toBe(1); // FAIL findings; the publish went through
    expect(s.securityHub.findings(ADMIN, 'us-east-1')).toHaveLength(133);
    expect(JSON.parse(await readFile(join(root, 'nightly-sh', PUBLISH_FILE), 'utf8'))).toMatchObject({ active: 133, imported: 133, error: null });
  });
});
