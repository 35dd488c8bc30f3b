#!/usr/bin/env node
/**
 * Entry point: run the command line (src/cli/main.ts) and exit with its code. The only process.exit.
 */
import { main } from './cli/main.js';

const code = await main(process.argv);
// Exit once stdout and stderr have flushed (keep-alive sockets must not hold the process open).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
