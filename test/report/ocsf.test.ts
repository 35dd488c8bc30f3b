import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingUid, OCSF_CLASS_UID, OCSF_FILE, OCSF_SCHEMA_VERSION } from '../../src/report/exports/ocsf.js';
import { CASES } from '../fixtures/results-fixture.js';
import { renderFixture } from './helpers.js';
import { classUid, resolveClass, schemaVersion, validateOcsf } from './ocsf-schema.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- records are checked field by field below

async function records(dir: string): Promise<Rec[]> {
  return JSON.parse(await readFile(join(dir, OCSF_FILE), 'utf8')) as Rec[];
}

describe('findings.ocsf.json (OCSF 1.3.0 Compliance Finding)', () => {
  it('is built against the schema version the fixture holds, and its class uid is the schema\'s', () => {
    expect(schemaVersion).toBe('1.3.0');
    expect(OCSF_SCHEMA_VERSION).toBe(schemaVersion);
    expect(OCSF_CLASS_UID).toBe(classUid('compliance_finding'));
    // The attributes the schema marks required for the class (base_event ← finding ← compliance_finding):
    const required = [...resolveClass('compliance_finding').attributes].filter(([, d]) => d.requirement === 'required' && !d.profile).map(([n]) => n).sort();
    expect(required).toEqual(['activity_id', 'category_uid', 'class_uid', 'compliance', 'finding_info', 'metadata', 'severity_id', 'time', 'type_uid']);
  });

  it('every record validates against the schema, one per key, with status mapped as documented', async () => {
    const { dir } = await renderFixture();
    const recs = await records(dir);
    expect(recs).toHaveLength(CASES.length);
    for (const rec of recs) expect(validateOcsf(rec, 'compliance_finding'), JSON.stringify(rec).slice(0, 200)).toEqual([]);
    const byStatus = new Map<string, Rec[]>();
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { keys: { keyArn: string; status: string; exceptionId: string | null; error: { code: string } | null }[] };
    for (const [i, key] of results.keys.entries()) {
      const rec = recs[i]!;
      expect(rec.resources[0].uid).toBe(key.keyArn);
      expect(rec.finding_info.uid).toBe(findingUid({ ruleId: 'KMS-002', keyArn: key.keyArn }));
      byStatus.set(key.status, [...(byStatus.get(key.status) ?? []), rec]);
      const c = rec.compliance;
      switch (key.status) {
        case 'PASS': expect([c.status_id, c.status]).toEqual([1, 'Pass']); break;
        case 'FAIL': expect([c.status_id, c.status]).toEqual([3, 'Fail']); break;
        case 'EXCEPTION': expect([c.status_id, c.status]).toEqual([3, 'Fail']); expect(c.status_detail).toContain(key.exceptionId); break;
        case 'NOT_APPLICABLE': expect([c.status_id, c.status]).toEqual([99, 'Not Applicable']); break;
        case 'ERROR': expect([c.status_id, c.status]).toEqual([0, 'Unknown']); expect(c.status_code).toBe(key.error!.code); expect(c.status_detail).toContain(key.error!.code); break;
      }
    }
    expect([...byStatus.keys()].sort()).toEqual(['ERROR', 'EXCEPTION', 'FAIL', 'NOT_APPLICABLE', 'PASS']);
    // The rule as the requirement, with the control ids of every framework shown.
    const c = recs[0]!.compliance;
    expect(c.control).toBe('KMS-002');
    expect(c.standards.length).toBeGreaterThanOrEqual(4);
    expect(c.requirements.some((r: string) => r.startsWith('CIS'))).toBe(true);
    expect(c.requirements.some((r: string) => /SC-12/.test(r))).toBe(true);
  });

  it('finding uids are unique and the same in a second rendering', async () => {
    const a = (await records((await renderFixture()).dir)).map((r) => r.finding_info.uid);
    const b = (await records((await renderFixture()).dir)).map((r) => r.finding_info.uid);
    expect(new Set(a).size).toBe(a.length);
    expect(b).toEqual(a);
  });

  it('the validator rejects a record missing a required attribute, a wrong type and an unknown field', async () => {
    const rec = (await records((await renderFixture()).dir))[0]!;
    const broken = structuredClone(rec);
    delete broken.finding_info.title;
    broken.time = '2026-11-28';
    broken.compliance.standards = 'CIS';
    broken.resources[0].flavour = 'x';
    delete broken.cloud.provider;
    expect(validateOcsf(broken, 'compliance_finding')).toEqual(
      expect.arrayContaining([
        'compliance_finding.finding_info.title: required attribute missing',
        expect.stringContaining('compliance_finding.time: expected timestamp_t'),
        'compliance_finding.compliance.standards: expected an array',
        'compliance_finding.resources[0].flavour: not an attribute of this class/object',
        'compliance_finding.cloud.provider: required attribute missing',
      ]),
    );
  });
});
