/**
 * What a scan has learned so far besides the keys themselves (which are on disk): coverage
 * records, counts by status, per-key call tallies. Small: one record per account and region.
 */
import type { KeyCallTally } from '../collect/kms.js';
import { emptyStatusCounts, type AccountCoverage, type KeyResult, type RegionCoverage, type StatusCounts } from '../core/results.js';

export class ScanTally {
  readonly accounts: AccountCoverage[] = [];
  readonly regions: RegionCoverage[] = [];
  readonly counts: StatusCounts = emptyStatusCounts();
  readonly keyCalls: KeyCallTally = { eligibleKeys: 0, eligibleCalls: 0, otherKeys: 0, otherCalls: 0 };

  addKeys(keys: KeyResult[]): void {
    for (const key of keys) this.counts[key.status]++;
  }

  addCalls(tally: KeyCallTally): void {
    this.keyCalls.eligibleKeys += tally.eligibleKeys;
    this.keyCalls.eligibleCalls += tally.eligibleCalls;
    this.keyCalls.otherKeys += tally.otherKeys;
    this.keyCalls.otherCalls += tally.otherCalls;
  }

  /** Why coverage is incomplete (all zero = complete). */
  gaps(): { accounts: number; regions: number; errorKeys: number } {
    return {
      accounts: this.accounts.filter((account) => account.status === 'error').length,
      regions: this.regions.filter((region) => region.status === 'error').length,
      errorKeys: this.counts.ERROR,
    };
  }

  sortedCoverage(): { accounts: AccountCoverage[]; regions: RegionCoverage[] } {
    const byId = (a: { accountId: string }, b: { accountId: string }): number => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0);
    return {
      accounts: [...this.accounts].sort(byId),
      regions: [...this.regions].sort((a, b) => byId(a, b) || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0)),
    };
  }
}
