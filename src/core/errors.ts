/**
 * Domain errors: what went wrong, in the terms of the run, never as an exit code. The command line
 * (src/cli/exit-codes.ts) is the only place that maps them to exit codes and prints them.
 */

/** Bad flags, bad config file, bad input file: reported as one line, before any AWS call. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An output folder cannot be written: not writable by this uid, a file, read-only, or held by another run. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/**
 * The run could not assess what it had to, and stops: AWS unreachable before its first answer, an S3
 * read or upload that failed. Whatever was written is complete on local disk, but the run is not.
 */
export class IncompleteError extends Error {
  override readonly name = 'IncompleteError';
}

/** A bug or an unexpected state. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
