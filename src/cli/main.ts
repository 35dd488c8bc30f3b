/**
 * The command line as a function: parse flags → load configuration → run one command, and map a
 * typed error to its exit code and one line on stderr (64 usage, 73 cannot write output, 70
 * internal; commands return 0/1/2). `src/cli.ts` calls it once and exits; a test harness may call
 * it for many argument lists in one process (test/hostile/fuzz-harness.mjs).
 */
import { CommanderError } from 'commander';
import { ExitCode, ExitError, UsageError } from '../core/errors.js';
import { runCommandLine } from './registry.js';

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version are not errors.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`kms-rotation-audit: ${err.message}\n`);
    return ExitCode.Usage;
  }
  if (err instanceof ExitError) {
    if (err.message) process.stderr.write(`kms-rotation-audit: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`kms-rotation-audit: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Internal;
}

/** Runs the command line `argv` (as process.argv: node, script, arguments…); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await runCommandLine(argv);
  } catch (err) {
    return exitCodeFor(err);
  }
}
