/**
 * Exit codes, and the one mapping from a domain error (src/core/errors.ts) to its code (README
 * "Exit codes"). A finished run's own status (0, 1, 2) comes from src/app/run.ts.
 */
import { CommanderError } from 'commander';
import { IncompleteError, OutputError, UsageError } from '../core/errors.js';
import { RunStatus } from '../app/run.js';

export const ExitCode = {
  ...RunStatus,
  Usage: 64,
  Internal: 70,
  /** An output folder cannot be written (sysexits.h EX_CANTCREAT). */
  CannotWrite: 73,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of an error that ended a command, and the line to print for it (null: nothing to print). */
export function exitOf(err: unknown): { code: number; line: string | null } {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    const quiet = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    return { code: quiet ? ExitCode.Ok : ExitCode.Usage, line: null };
  }
  if (err instanceof UsageError) return { code: ExitCode.Usage, line: err.message };
  if (err instanceof OutputError) return { code: ExitCode.CannotWrite, line: err.message };
  if (err instanceof IncompleteError) return { code: ExitCode.Incomplete, line: err.message };
  // InternalError or anything unexpected: a bug; the stack goes with it.
  return { code: ExitCode.Internal, line: `internal error: ${(err as Error)?.stack ?? String(err)}` };
}
