import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASFF_FILE, type AsffFinding } from '../../src/report/exports/asff.js';
import { CASES } from '../fixtures/results-fixture.js';
import { loadModel, validateShape } from '../helpers/aws-model.js';
import { renderFixture } from './helpers.js';

const model = loadModel('securityhub-2018-10-26.json.gz');

async function findings(dir: string): Promise<AsffFinding[]> {
  return JSON.parse(await readFile(join(dir, ASFF_FILE), 'utf8')) as AsffFinding[];
}

describe('findings.asff.json (AwsSecurityFinding, Security Hub API model 2018-10-26)', () => {
  it('every record conforms to the model and the statuses map as documented', async () => {
    const { dir } = await renderFixture();
    const recs = await findings(dir);
    expect(recs).toHaveLength(CASES.length);
    for (const rec of recs) expect(validateShape(model, 'AwsSecurityFinding', rec), rec.Id).toEqual([]);
    // A batch of them is a valid BatchImportFindings request (at most 100 findings).
    expect(validateShape(model, 'BatchImportFindingsRequest', { Findings: recs.slice(0, 100) })).toEqual([]);
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { keys: { keyArn: string; status: string; accountId: string; exceptionId: string | null; error: { code: string } | null }[] };
    const expected: Record<string, [string, string]> = { PASS: ['PASSED', 'RESOLVED'], FAIL: ['FAILED', 'NEW'], EXCEPTION: ['FAILED', 'SUPPRESSED'], NOT_APPLICABLE: ['NOT_AVAILABLE', 'RESOLVED'], ERROR: ['NOT_AVAILABLE', 'NEW'] };
    for (const [i, key] of results.keys.entries()) {
      const rec = recs[i]!;
      expect(rec.Id).toBe(`KMS-002/${key.keyArn}`);
      expect(rec.AwsAccountId).toBe(key.accountId);
      expect(rec.Resources[0]!.Id).toBe(key.keyArn);
      expect([rec.Compliance.Status, rec.Workflow?.Status]).toEqual(expected[key.status]);
      expect(rec.RecordState).toBe('ACTIVE');
      if (key.status === 'EXCEPTION') expect(rec.Compliance.StatusReasons?.[0]?.Description).toContain(key.exceptionId);
      if (key.status === 'ERROR') expect(rec.Compliance.StatusReasons?.[0]?.ReasonCode).toBe(key.error!.code);
    }
    expect(recs[0]!.Compliance.RelatedRequirements?.some((r) => r.startsWith('CIS'))).toBe(true);
  });

  it('Ids are unique per key and rule and stable across renderings', async () => {
    const a = (await findings((await renderFixture()).dir)).map((r) => r.Id);
    const b = (await findings((await renderFixture()).dir)).map((r) => r.Id);
    expect(new Set(a).size).toBe(a.length);
    expect(b).toEqual(a);
  });

  it('the model check rejects a missing required member, a bad enum and an unknown member', async () => {
    const rec = structuredClone((await findings((await renderFixture()).dir))[0]!) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- broken on purpose
    delete rec.GeneratorId;
    rec.Compliance.Status = 'PASS';
    rec.Colour = 'red';
    rec.Title = ' ';
    expect(validateShape(model, 'AwsSecurityFinding', rec)).toEqual([
      'AwsSecurityFinding.GeneratorId: required member missing',
      expect.stringContaining('AwsSecurityFinding.Title: " " does not match'),
      expect.stringContaining('AwsSecurityFinding.Compliance.Status: "PASS" is not one of'),
      'AwsSecurityFinding.Colour: not a member of AwsSecurityFinding',
    ]);
  });
});
