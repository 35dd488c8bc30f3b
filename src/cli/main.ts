/**
 * The command line as a function: parse flags → load configuration → run one command, and map a
 * domain error to its exit code and one line on stderr (src/cli/exit-codes.ts). `src/cli.ts` calls it
 * once and exits; a test harness may call it for many argument lists in one process
 * (test/hostile/fuzz-harness.mjs).
 */
import { exitOf } from './exit-codes.js';
import { runCommandLine } from './registry.js';

/** Runs the command line `argv` (as process.argv: node, script, arguments…); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await runCommandLine(argv);
  } catch (err) {
    const { code, line } = exitOf(err);
    if (line) process.stderr.write(`kms-rotation-audit: ${line}\n`);
    return code;
  }
}
