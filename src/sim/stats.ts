import type { SimStats } from './types.js';

/** Call counters; Maps internally (cheap increments), plain records when read. */
export class StatsCounter {
  calls = new Map<string, number>();
  callsByScope = new Map<string, number>();
  throttled = 0;
  authFailures = 0;
  inFlight = 0;
  maxInFlight = 0;

  count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  countScope(accountId: string, region: string, operation: string): void {
    const key = `${accountId}|${region}|${operation}`;
    this.callsByScope.set(key, (this.callsByScope.get(key) ?? 0) + 1);
  }

  enter(): void {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  leave(): void {
    this.inFlight--;
  }

  snapshot(): SimStats {
    return {
      calls: Object.fromEntries(this.calls),
      throttled: this.throttled,
      authFailures: this.authFailures,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      callsByScope: Object.fromEntries(this.callsByScope),
    };
  }

  reset(): void {
    this.calls.clear();
    this.callsByScope.clear();
    this.throttled = 0;
    this.authFailures = 0;
    this.maxInFlight = this.inFlight;
  }
}
