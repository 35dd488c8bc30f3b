#!/usr/bin/env node
/**
 * Entry point: parse flags → load configuration → run one command. The only process.exit:
 * typed errors map to exit codes here (64 usage, 70 internal; commands return 0/1/2).
 */
import { CommanderError } from 'commander';
import { ExitCode, ExitError, UsageError } from './errors.js';
import { runCommandLine } from './commands/registry.js';

function exitCodeFor(err: unknown): number {
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

let code: number;
try {
  code = await runCommandLine(process.argv);
} catch (err) {
  code = exitCodeFor(err);
}
// Exit once stdout and stderr have flushed (keep-alive sockets must not hold the process open).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
