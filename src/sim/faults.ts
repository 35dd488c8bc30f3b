import type { Rng } from './rng.js';
import type { SimFault } from './types.js';

/** What a request looks like to the fault rules. */
export interface FaultRequest {
  accountId: string;
  region: string;
  /** `service:Operation`. */
  operation: string;
  /** AssumeRole: the role's account. */
  targetAccountId?: string;
  /** KMS: the request's KeyId (id, ARN or alias as sent). */
  keyId?: string;
}

export type TerminalFault = Exclude<SimFault['kind'], 'latency' | 'delete-key' | 'rewrite'>;

export interface FaultDecision {
  extraLatencyMs: number;
  terminal?: TerminalFault;
}

function operationMatches(patterns: string[] | undefined, operation: string): boolean {
  if (!patterns) return true;
  for (const p of patterns) {
    if (p === '*' || p === operation) return true;
    if (p.endsWith(':*') && operation.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}

function keyMatches(keyIds: string[] | undefined, keyId: string | undefined): boolean {
  if (!keyIds) return true;
  if (keyId === undefined) return false;
  const slash = keyId.lastIndexOf('key/');
  const bare = slash >= 0 ? keyId.slice(slash + 4) : keyId;
  return keyIds.includes(keyId) || keyIds.includes(bare);
}

/** Fault rules with their remaining `times` budget; rates drawn from the simulator's seeded RNG. */
export class FaultSet {
  private rules: { fault: SimFault; left: number }[] = [];

  constructor(
    faults: SimFault[],
    private readonly rng: Rng,
  ) {
    this.set(faults);
  }

  set(faults: SimFault[]): void {
    this.rules = faults.map((fault) => ({ fault, left: fault.times ?? Infinity }));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  private fires(rule: { fault: SimFault; left: number }): boolean {
    if (rule.left <= 0) return false;
    const rate = rule.fault.rate ?? 1;
    if (rate < 1 && this.rng.next() >= rate) return false;
    rule.left--;
    return true;
  }

  private matches(f: SimFault, req: FaultRequest): boolean {
    return (
      (!f.accounts || f.accounts.includes(req.accountId)) &&
      (!f.regions || f.regions.includes(req.region)) &&
      operationMatches(f.operations, req.operation) &&
      (!f.targetAccounts || (req.targetAccountId !== undefined && f.targetAccounts.includes(req.targetAccountId))) &&
      keyMatches(f.keyIds, req.keyId)
    );
  }

  /** Latency adds up over every matching rule; the first matching terminal rule decides the answer. */
  decide(req: FaultRequest): FaultDecision {
    const decision: FaultDecision = { extraLatencyMs: 0 };
    for (const rule of this.rules) {
      const f = rule.fault;
      if (f.kind === 'delete-key' || f.kind === 'rewrite' || (f.kind !== 'latency' && decision.terminal !== undefined)) continue;
      if (!this.matches(f, req) || !this.fires(rule)) continue;
      if (f.kind === 'latency') decision.extraLatencyMs += f.latencyMs ?? 0;
      else decision.terminal = f.kind;
    }
    return decision;
  }

  /** Applies every matching "rewrite" rule to a successful JSON answer (in order; each spends `times` only when its `where` holds). */
  rewrite(req: FaultRequest, output: unknown): unknown {
    let out = output;
    for (const rule of this.rules) {
      const f = rule.fault;
      if (f.kind !== 'rewrite' || !f.rewrite || !this.matches(f, req)) continue;
      if (out === undefined || out === null || typeof out !== 'object') continue;
      if (!whereHolds(out, f.rewrite.where) || !this.fires(rule)) continue;
      out = applyRewrite(out, f.rewrite);
    }
    return out;
  }

  /** Keys a ListKeys answer listed that "delete-key" rules remove right after answering. */
  keysToDelete(req: Omit<FaultRequest, 'keyId'>, keyIds: string[]): string[] {
    const out: string[] = [];
    for (const rule of this.rules) {
      const f = rule.fault;
      if (f.kind !== 'delete-key') continue;
      if ((f.accounts && !f.accounts.includes(req.accountId)) || (f.regions && !f.regions.includes(req.region))) continue;
      for (const keyId of keyIds) if (keyMatches(f.keyIds, keyId) && !out.includes(keyId) && this.fires(rule)) out.push(keyId);
    }
    return out;
  }
}

function valuesAt(root: unknown, path: string[]): unknown[] {
  let current: unknown[] = [root];
  for (const part of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (part === '*' && Array.isArray(value)) next.push(...value);
      else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, part)) next.push((value as Record<string, unknown>)[part]);
    }
    current = next;
  }
  return current;
}

function whereHolds(root: unknown, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([path, want]) => {
    const found = valuesAt(root, path.split('.'));
    return found.length > 0 && found.every((value) => JSON.stringify(value) === JSON.stringify(want));
  });
}

/** A deep copy of `root` with the rewrite applied at every place `path` reaches (missing parents are created for `set`). */
function applyRewrite(root: unknown, rewrite: NonNullable<SimFault['rewrite']>): unknown {
  const copy = JSON.parse(JSON.stringify(root)) as unknown;
  const parts = rewrite.path.split('.');
  const last = parts.pop()!;
  const walk = (value: unknown, depth: number): void => {
    if (depth === parts.length) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const obj = value as Record<string, unknown>;
      if (rewrite.action === 'drop') delete obj[last];
      else if (rewrite.action === 'null') obj[last] = null;
      else obj[last] = JSON.parse(JSON.stringify(rewrite.value ?? null)) as unknown;
      return;
    }
    const part = parts[depth]!;
    if (part === '*') {
      if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    if (!Object.hasOwn(obj, part)) {
      if (rewrite.action !== 'set') return;
      obj[part] = {};
    }
    walk(obj[part], depth + 1);
  };
  walk(copy, 0);
  return copy;
}
