/**
 * The small results fixture with an exceptions register applied by the real code (applyExceptions,
 * exceptionsSummary): one entry in force covering two FAIL keys, one expired entry whose key stays FAIL,
 * and one unused entry expiring within 30 days. The summary goes where the scan puts it:
 * `header.extensions.exceptions`.
 */
import { applyExceptions, createExceptionUsage, EXCEPTIONS_EXTENSION, exceptionsSummary, type ExceptionRegister } from '../../src/exceptions/index.js';
import { writeResultsDocument } from '../../src/io/results-document.js';
import { emptyStatusCounts, type KeyResult, type ResultsHeader } from '../../src/core/results.js';
import { fixtureHeader, fixtureKeys } from '../fixtures/results-fixture.js';

/** The path the register was given as (the reports cite only its base name and digest). */
export const REGISTER_SOURCE = 'config/exceptions.yaml';
export const REGISTER_FILE = { name: 'exceptions.yaml', bytes: 1873, sha256: '3f0c6a1e9b7d2c4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789' };

export interface RegisterFixture {
  header: ResultsHeader;
  register: ExceptionRegister;
  /** ARNs of the keys each entry was written to match. */
  arns: { active: string[]; expired: string[] };
}

export function registerFixture(): { header: ResultsHeader; keys: KeyResult[]; fixture: RegisterFixture } {
  const base = fixtureHeader();
  const now = new Date(base.finishedAt);
  // The fixture's one EXCEPTION key back to FAIL, so the register (not the fixture) decides it.
  const keys = [...fixtureKeys()].map((key): KeyResult =>
    key.status === 'EXCEPTION' ? { ...key, status: 'FAIL', exceptionId: null, reason: 'Automatic key rotation is disabled (policy: at least every 365 days).' } : key,
  );
  const byAlias = (alias: string): KeyResult => {
    const key = keys.find((k) => k.aliases.includes(alias));
    if (!key) throw new Error(`results fixture: no key with ${alias}`);
    return key;
  };
  const active = [byAlias('alias/vendor-hsm-bridge').keyArn, byAlias('alias/billing').keyArn];
  const expired = [byAlias('alias/-minus').keyArn];
  const register: ExceptionRegister = {
    source: REGISTER_SOURCE,
    file: REGISTER_FILE,
    maxDays: 365,
    entries: [
      { id: 'EXC-2026-014', scope: { keys: active }, reason: 'Vendor appliance pins the key material', approver: 'payments.lead@example.com', ticket: 'SEC-2001', created: '2026-04-01', expires: '2027-03-31', approved: '2026-03-28', riskOwner: 'Head of Payments', compensatingControl: 'Appliance re-wraps data keys every 90 days', line: 2 },
      { id: 'EXC-2026-009', scope: { aliases: ['alias/-minus'] }, reason: 'Legacy decrypt-only key for an archive migration', approver: 'risk.officer@example.com', ticket: 'SEC-1999', created: '2026-01-10', expires: '2026-10-31', line: 12 },
      { id: 'EXC-2026-020', scope: { accounts: ['999999999999'] }, reason: 'Retired account, kept until the audit closes', approver: 'jane.doe@example.com', ticket: 'SEC-2020', created: '2026-11-01', expires: '2026-12-10', line: 20 },
    ],
  };
  const usage = createExceptionUsage(register);
  const judged = keys.map((key) => applyExceptions(key, register, now, usage));
  const byStatus = emptyStatusCounts();
  for (const key of judged) byStatus[key.status]++;
  const header: ResultsHeader = {
    ...base,
    summary: { ...base.summary, byStatus },
    extensions: { ...base.extensions, [EXCEPTIONS_EXTENSION]: exceptionsSummary(register, usage, now) },
  };
  return { header, keys: judged, fixture: { header, register, arns: { active, expired } } };
}

export async function writeRegisterFixture(path: string): Promise<RegisterFixture> {
  const { header, keys, fixture } = registerFixture();
  await writeResultsDocument(path, header, keys);
  return fixture;
}

