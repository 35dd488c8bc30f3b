/**
 * The command line: every command, its flags, and the hand-off to the command's module.
 * Scan options come from the one schema in src/config/schema.ts.
 */
import { Command, Option } from 'commander';
import { optionSpecs } from '../config/schema.js';
import { loadConfig, redactConfig } from '../config/load.js';
import { ExitCode } from '../errors.js';
import { toolVersion } from '../version.js';

export function buildProgram(): Command {
  const program = new Command('kms-rotation-audit')
    .description('Audit automatic rotation of every customer managed symmetric KMS key in an AWS Organization (rule KMS-002).')
    .version(toolVersion)
    .exitOverride()
    .showSuggestionAfterError(true)
    .enablePositionalOptions();

  addScanOptions(program.command('scan').description('Scan the organization and write results and reports (the default job).')).action(async (_opts, command: Command) => {
    const config = await loadConfig({ flags: givenOptions(command), env: process.env, configFile: (command.opts().config as string | undefined) ?? null });
    if (command.opts().printConfig) {
      process.stdout.write(JSON.stringify(redactConfig(config), null, 2) + '\n');
      return setExit(command, ExitCode.Ok);
    }
    const { runScanCommand } = await import('./scan.js');
    setExit(command, await runScanCommand(config, { env: process.env }));
  });

  return program;
}

/** Adds every scan option of the one schema to a command (no commander defaults: the schema owns them). */
export function addScanOptions(command: Command): Command {
  command.option('-c, --config <file>', 'YAML config file (also $KMS_ROTATION_AUDIT_CONFIG); keys are the camelCase flag names');
  for (const spec of optionSpecs) {
    command.addOption(new Option(spec.flag, spec.description + (spec.defaultText ? ` (default: ${spec.defaultText})` : '')));
  }
  command.option('--print-config', 'print the effective configuration (secrets redacted) and exit');
  return command;
}

/** Values the user actually typed (commander fills defaults for --no-x switches; those are not the user's). */
export function givenOptions(command: Command): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(command.opts())) {
    if (command.getOptionValueSource(key) === 'cli') out[key] = value;
  }
  return out;
}

const EXIT = Symbol('exitCode');
function setExit(command: Command, code: number): void {
  (command as unknown as Record<symbol, number>)[EXIT] = code;
}

/** Parses argv and runs the chosen command; resolves to the command's exit code. */
export async function runCommandLine(argv: string[]): Promise<number> {
  const program = buildProgram();
  const parsed = await program.parseAsync(argv);
  let code: number = ExitCode.Ok;
  for (const command of parsed.commands) {
    const value = (command as unknown as Record<symbol, number | undefined>)[EXIT];
    if (value !== undefined) code = value;
  }
  return code;
}
