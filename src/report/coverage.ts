/**
 * coverage.csv and the coverage statement. One row per account and region in scope (from the results
 * header), plus an account-level row (region empty) for every account that was not scanned (role not
 * assumable, regions not listable, skipped by account state) or has no region rows. Gaps are what was
 * in scope but could not be assessed: accounts or regions in `error`, and a run that did not finish.
 */
import type { AccountCoverage, ResultsHeader, RegionCoverage } from '../results/types.js';
import type { Cell } from './findings.js';

export const COVERAGE_COLUMNS = [
  'scan_id', 'level', 'account_id', 'account_name', 'ou_path', 'account_state', 'access', 'region', 'status',
  'error_code', 'error_operation', 'error_message', 'reason', 'key_count', 'key_errors',
] as const;

export interface CoverageSummary {
  accounts: { total: number; scanned: number; error: number; skipped: number };
  regions: { total: number; scanned: number; notEnabled: number; error: number; skipped: number };
  /** Accounts and account-regions in scope that could not be assessed. */
  gaps: number;
  /** header.complete: false when the run was cut short or is a shard part. */
  runComplete: boolean;
  errorAccounts: AccountCoverage[];
  skippedAccounts: AccountCoverage[];
  errorRegions: RegionCoverage[];
  skippedRegions: RegionCoverage[];
  /** region → number of accounts where it is not enabled. */
  notEnabledByRegion: Map<string, number>;
  /** Regions named in the coverage (scanned or not). */
  regionNames: string[];
}

function byId(a: { accountId: string }, b: { accountId: string }): number {
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

function byAccountRegion(a: RegionCoverage, b: RegionCoverage): number {
  return byId(a, b) || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0);
}

export function summariseCoverage(header: ResultsHeader): CoverageSummary {
  const { accounts, regions } = header.coverage;
  const notEnabledByRegion = new Map<string, number>();
  for (const r of regions) if (r.status === 'not_enabled') notEnabledByRegion.set(r.region, (notEnabledByRegion.get(r.region) ?? 0) + 1);
  const errorAccounts = accounts.filter((a) => a.status === 'error').sort(byId);
  const errorRegions = regions.filter((r) => r.status === 'error').sort(byAccountRegion);
  return {
    accounts: {
      total: accounts.length,
      scanned: accounts.filter((a) => a.status === 'scanned').length,
      error: errorAccounts.length,
      skipped: accounts.filter((a) => a.status === 'skipped').length,
    },
    regions: {
      total: regions.length,
      scanned: regions.filter((r) => r.status === 'scanned').length,
      notEnabled: regions.filter((r) => r.status === 'not_enabled').length,
      error: errorRegions.length,
      skipped: regions.filter((r) => r.status === 'skipped').length,
    },
    gaps: errorAccounts.length + errorRegions.length,
    runComplete: header.complete,
    errorAccounts,
    skippedAccounts: accounts.filter((a) => a.status === 'skipped').sort(byId),
    errorRegions,
    skippedRegions: regions.filter((r) => r.status === 'skipped').sort(byAccountRegion),
    notEnabledByRegion,
    regionNames: [...new Set(regions.map((r) => r.region))].sort(),
  };
}

/** coverage.csv rows in (account, account row first, region) order. */
export function* coverageRows(header: ResultsHeader): Iterable<Cell[]> {
  const regionsByAccount = new Map<string, RegionCoverage[]>();
  for (const r of header.coverage.regions) {
    const list = regionsByAccount.get(r.accountId) ?? [];
    list.push(r);
    regionsByAccount.set(r.accountId, list);
  }
  const accounts = new Map(header.coverage.accounts.map((a) => [a.accountId, a]));
  const ids = [...new Set([...accounts.keys(), ...regionsByAccount.keys()])].sort();
  for (const id of ids) {
    const account = accounts.get(id) ?? null;
    const regions = (regionsByAccount.get(id) ?? []).sort(byAccountRegion);
    if (account && (account.status !== 'scanned' || regions.length === 0)) {
      yield [
        header.scanId, 'account', id, account.accountName, account.ouPath, account.state, account.access, null, account.status,
        account.error?.code ?? null, account.error?.operation ?? null, account.error?.message ?? null, account.reason, null, null,
      ];
    }
    for (const r of regions) {
      yield [
        header.scanId, 'region', id, account?.accountName ?? null, account?.ouPath ?? null, account?.state ?? null, account?.access ?? null,
        r.region, r.status, r.error?.code ?? null, r.error?.operation ?? null, r.error?.message ?? null, r.reason, r.keyCount, r.keyErrors,
      ];
    }
  }
}
