/**
 * Benchmark: writeReports on a generated 100,000-key results document (override with KEYS=n).
 * Prints one JSON line: seconds, peak RSS of the reporting process (MB), PDF pages, file sizes.
 *   npm run build && node dist/bench/report-100k.js
 * The document is generated first; the reports then run in a fresh child process so its peak RSS
 * measures the reporters alone, with the image's NODE_OPTIONS (bench/node-options.ts; override with
 * REPORT_NODE_OPTIONS, empty for Node.js's own defaults).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFrameworks } from '../src/frameworks/index.js';
import { writeReports } from '../src/report/index.js';
import { writeFixture } from '../test/fixtures/results-fixture.js';
import { imageNodeOptions, nodeOptionArgs } from './node-options.js';

async function render(dir: string): Promise<void> {
  const started = process.hrtime.bigint();
  const { pages, pdfSeconds } = await writeReports({ resultsPath: join(dir, 'results.json'), outDir: dir, frameworks: await loadFrameworks({}) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const files: Record<string, number> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = (await stat(join(dir, name))).size;
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify({ seconds: Number(seconds.toFixed(2)), pdfSeconds: Number(pdfSeconds.toFixed(2)), peakRssMb, pages, files }) + '\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--render' && process.argv[3]) return render(process.argv[3]);
  const keys = Number(process.env.KEYS ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'kra-bench-report-'));
  const t0 = process.hrtime.bigint();
  await writeFixture(join(dir, 'results.json'), { keys });
  const generateSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const nodeOptions = process.env.REPORT_NODE_OPTIONS ?? imageNodeOptions();
  const out = execFileSync(process.execPath, [...nodeOptionArgs(nodeOptions), fileURLToPath(import.meta.url), '--render', dir], { encoding: 'utf8' });
  const result = JSON.parse(out) as Record<string, unknown>;
  process.stdout.write(JSON.stringify({ bench: 'report', keys, nodeOptions, dir, generateSeconds: Number(generateSeconds.toFixed(2)), ...result }) + '\n');
}

await main();
