/** Reporters depend on the stable key order (account, region, key id); they check it while streaming. */
import { InternalError } from '../core/errors.js';
import { compareKeys, type KeyResult } from '../core/results.js';

type KeyPosition = Pick<KeyResult, 'accountId' | 'region' | 'keyId'>;

export class KeyOrderGuard {
  private previous: KeyPosition | null = null;
  private index = 0;

  constructor(private readonly source: string) {}

  check(key: KeyResult): void {
    this.index++;
    const prev = this.previous;
    if (prev && compareKeys(prev, key) >= 0) {
      const what = compareKeys(prev, key) === 0 ? 'duplicate key' : 'keys out of order';
      throw new InternalError(
        `${this.source}: ${what} at key #${this.index}: ${describe(key)} after ${describe(prev)} (expected ascending account, region, key id)`,
      );
    }
    this.previous = { accountId: key.accountId, region: key.region, keyId: key.keyId };
  }
}

function describe(k: KeyPosition): string {
  return `${k.accountId}/${k.region}/${k.keyId}`;
}
