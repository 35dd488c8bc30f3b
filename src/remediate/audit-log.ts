/**
 * remediation-audit.jsonl: one JSON line per key the apply step handled, appended as each key
 * finishes (an interrupted run still leaves a record of what it changed). Appends to an existing
 * log: every line carries its run id.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { AwsErrorRecord } from '../core/results.js';

export const AUDIT_LOG = 'remediation-audit.jsonl';

export interface RotationState {
  enabled: boolean;
  /** As GetKeyRotationStatus answered; null when left out. */
  periodDays: number | null;
}

export type AuditOutcome = 'enabled' | 'already-compliant' | 'failed';

export interface AuditRecord {
  runId: string;
  /** When the key was finished (ISO 8601 UTC). */
  at: string;
  scanId: string;
  /** The write session's identity (sts:GetCallerIdentity), null when no session could be opened. */
  who: string | null;
  roleArn: string;
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
  action: 'kms:EnableKeyRotation';
  /** RotationPeriodInDays sent (null: AWS's default, 365). */
  requestedPeriodDays: number | null;
  before: RotationState | null;
  after: RotationState | null;
  outcome: AuditOutcome;
  error: AwsErrorRecord | null;
}

export class AuditLog {
  private queue: Promise<void> = Promise.resolve();
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AuditLog> {
    return new AuditLog(path, await open(path, 'a', 0o640));
  }

  /** Appends one line; writes are serialised so lines never interleave. */
  write(record: AuditRecord): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    this.queue = this.queue.then(async () => {
      await this.handle.appendFile(line, 'utf8');
      await this.handle.datasync();
    });
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.handle.close();
  }
}
