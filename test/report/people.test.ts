/**
 * Data for people (issue 11, point 10), scanned for real from the simulated organization: with
 * --owner-tag and --managed-by-tag every applicable key's tags are read (kms:ListResourceTags), and
 * findings.csv gets owner, managed_by (CloudFormation stack tag and the configured tag) and
 * creation_date. A tag read that fails is an evidence gap on the row, never a status.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScanJob } from '../../src/app/scan.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { simScenario } from '../../src/sim/index.js';
import type { Simulator } from '../../src/sim/types.js';
import { fastTiming, memoryLogger, withSim } from '../engine/helpers.js';
import { readCsv } from './helpers.js';

const ACCOUNT = '111111111111';
const ROTATING = { enabled: true, periodDays: 365, nextRotationDate: '2027-01-01T00:00:00.000Z' };

const scenario = () =>
  simScenario({
    accounts: [
      {
        id: ACCOUNT,
        keys: [
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000001', creationDate: '2023-04-05T06:07:08.000Z', tags: { owner: 'payments-team', 'aws:cloudformation:stack-name': 'kms-payments' } },
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000002', rotation: ROTATING, tags: { owner: '=HYPERLINK("http://evil.example")', ManagedBy: 'terraform' } },
          { region: 'us-east-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000003', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', tags: { owner: 'signing-team' } },
          { region: 'eu-west-1', keyId: 'aaaaaaaa-0000-0000-0000-000000000004', tags: { owner: 'eu-team' } },
        ],
      },
    ],
  });

function config(out: string, over: Record<string, unknown>): Config {
  return configSchema.parse({ out, logFormat: 'json', progress: false, homeRegion: 'us-east-1', regions: ['us-east-1', 'eu-west-1'], failOn: 'never', previous: null, ...over }) as Config;
}

async function findings(sim: Simulator, over: Record<string, unknown>): Promise<Record<string, string>[]> {
  const out = await mkdtemp(join(tmpdir(), 'kra-people-'));
  await runScanJob(config(out, over), { env: {}, logger: memoryLogger() as never, deps: { endpoint: sim.endpoint, credentials: async () => sim.baseCredentials, timing: fastTiming } });
  const { rows } = await readCsv(join(out, 'findings.csv'));
  const [header, ...body] = rows;
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { header: { parameters: Record<string, unknown> } };
  expect(results.header.parameters).toMatchObject({ ownerTag: over.ownerTag ?? null, managedByTag: over.managedByTag ?? null });
  return body.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
}

describe('owner, managed_by and creation_date in findings.csv', () => {
  it('reads the tags of every applicable key when asked; a failed tag read is an evidence gap, never a status', async () => {
    await withSim({ scenario: scenario(), faults: [{ accounts: [ACCOUNT], regions: ['eu-west-1'], operations: ['kms:ListResourceTags'], kind: 'access-denied' }] }, async (sim) => {
      const rows = await findings(sim, { ownerTag: 'owner', managedByTag: 'ManagedBy' });
      expect(rows.map((r) => [r.key_id!.slice(-1), r.status, r.owner, r.managed_by, r.creation_date])).toEqual([
        ['4', 'FAIL', '', '', expect.stringMatching(/^\d{4}-\d\d-\d\dT/)],
        ['1', 'FAIL', 'payments-team', 'aws:cloudformation:stack-name=kms-payments', '2023-04-05T06:07:08.000Z'],
        ['2', 'PASS', `'=HYPERLINK("http://evil.example")`, 'ManagedBy=terraform', expect.stringMatching(/^\d{4}-/)],
        // The rule does not apply to a signing key: its tags are not read (one call per applicable key only).
        ['3', 'NOT_APPLICABLE', '', '', expect.stringMatching(/^\d{4}-/)],
      ]);
      expect(rows[0]!.evidence_gaps).toBe('tags: AccessDeniedException at kms:ListResourceTags');
      expect(rows.slice(1).map((r) => r.evidence_gaps)).toEqual(['', '', '']);
      expect(sim.stats().calls['kms:ListResourceTags']).toBe(3);
    });
  });

  it('reads no tags and leaves both columns empty when not asked', async () => {
    await withSim({ scenario: scenario() }, async (sim) => {
      const rows = await findings(sim, {});
      expect(rows.map((r) => [r.owner, r.managed_by])).toEqual([['', ''], ['', ''], ['', ''], ['', '']]);
      expect(rows[1]!.creation_date).toBe('2023-04-05T06:07:08.000Z');
      expect(sim.stats().calls['kms:ListResourceTags'] ?? 0).toBe(0);
    });
  });

  it('refuses a tag key AWS would not accept, naming the flag', () => {
    expect(() => configSchema.parse({ ownerTag: 'owner;drop' })).toThrow(/expected a tag key/);
    expect(() => configSchema.parse({ managedByTag: 'x'.repeat(129) })).toThrow(/expected a tag key/);
  });
});
