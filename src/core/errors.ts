/**
 * Typed errors and the exit codes they map to. `src/cli.ts` is the only place that
 * turns them into a process exit (changesets-style: one exit point).
 */
export const ExitCode = {
  Ok: 0,
  Findings: 1,
  Incomplete: 2,
  Usage: 64,
  Internal: 70,
  /** An output folder cannot be written (sysexits.h EX_CANTCREAT): src/io/output.ts. */
  CannotWrite: 73,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad flags, bad config file, bad input file: reported as one line, exit 64, before any AWS call. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command finished and wants a specific non-zero exit (1 findings, 2 incomplete coverage). */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** A bug or an unexpected state: exit 70. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
