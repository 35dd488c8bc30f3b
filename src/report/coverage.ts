/**
 * coverage.csv and the coverage statement. One row per account and region in scope (from the results
 * header), plus an account-level row (region empty) for every account that was not scanned (role not
 * assumable, regions not listable, skipped by account state) or has no region rows. Gaps are what was
 * in scope but could not be assessed: accounts or regions in `error`, and a run that did not finish.
 */
import type { AccountCoverage, ResultsHeader, RegionCoverage, StatusCounts } from '../core/results.js';
import type { Cell } from '../io/csv.js';
import { plural } from '../core/text.js';

/**
 * The one definition of "in scope", used by results.json (header.summary.accountsInScope), the PDF and
 * coverage.csv (one account row or region rows per account in scope): printed in the methodology.
 */
export const IN_SCOPE_DEFINITION =
  'In scope: every account of the organization that the account filters (--accounts, --ous, --exclude-accounts) select, whatever its state, and every region of those accounts that the scan could list (all regions, or the --regions given). Accounts that are not ACTIVE (suspended, closed or closing) are in scope but skipped: only ACTIVE accounts are scanned. An account that could not be accessed is in scope; its regions could not be listed and are not counted.';

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

/**
 * What was in scope and not assessed, in words ("1 account", "1 account-region", "1 ERROR key"), with
 * "the unfinished run's remainder" first when the run did not finish; empty when coverage is complete.
 * The one verdict the cover, the executive summary and every control's basis print.
 */
export function notAssessed(coverage: CoverageSummary, counts: Pick<StatusCounts, 'ERROR'>): string[] {
  return [
    coverage.runComplete ? null : 'what the unfinished run did not reach',
    coverage.accounts.error ? plural(coverage.accounts.error, 'account') : null,
    coverage.regions.error ? plural(coverage.regions.error, 'account-region') : null,
    counts.ERROR ? plural(counts.ERROR, 'ERROR key') : null,
  ].filter((part): part is string => part !== null);
}

/** "coverage complete", or "coverage incomplete: 1 account, 1 account-region, 1 ERROR key not assessed". */
export function coverageVerdict(coverage: CoverageSummary, counts: Pick<StatusCounts, 'ERROR'>): string {
  const parts = notAssessed(coverage, counts);
  return parts.length === 0 ? 'coverage complete' : `coverage incomplete: ${parts.join(', ')} not assessed`;
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

/** One account of the population appendix: coverage.csv's account, its regions and its keys by status. */
export interface PopulationRow {
  account: AccountCoverage;
  regionsScanned: number;
  regionsNotEnabled: number;
  /** Regions in error (coverage gaps), by name. */
  regionsFailed: string[];
  regionsSkipped: number;
  /** Each key's own status (as in findings.csv). */
  keys: StatusCounts;
}

/** Every account in scope (header.coverage.accounts), in account order, with its regions and keys. */
export function populationRows(header: ResultsHeader, keysByAccount: (accountId: string) => StatusCounts): PopulationRow[] {
  const regions = new Map<string, RegionCoverage[]>();
  for (const r of header.coverage.regions) {
    const list = regions.get(r.accountId) ?? [];
    list.push(r);
    regions.set(r.accountId, list);
  }
  return [...header.coverage.accounts].sort(byId).map((account) => {
    const own = (regions.get(account.accountId) ?? []).sort(byAccountRegion);
    return {
      account,
      regionsScanned: own.filter((r) => r.status === 'scanned').length,
      regionsNotEnabled: own.filter((r) => r.status === 'not_enabled').length,
      regionsFailed: own.filter((r) => r.status === 'error').map((r) => r.region),
      regionsSkipped: own.filter((r) => r.status === 'skipped').length,
      keys: keysByAccount(account.accountId),
    };
  });
}
