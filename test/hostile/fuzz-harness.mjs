/* global process, Buffer, URL, queueMicrotask, setTimeout, clearTimeout -- Node.js globals (this file is plain JavaScript, run by node) */
/**
 * Runs many command lines of the built CLI in one process, for test/hostile/fuzz.test.ts: the same
 * code path as `dist/src/cli.js` (src/cli/main.ts: parse, run, map the error to an exit code and one line
 * on stderr), without a process start per variant.
 *
 *   node fuzz-harness.mjs JOBS.json
 *
 * JOBS.json: [{ id, argv: [...], env: {...}, watch: DIR, timeoutMs }]. For each job: the environment
 * is the harness's own plus the job's; what the command writes to stdout and stderr is captured; DIR
 * is listed (names, sizes, modification times) before and after. Prints one JSON array of
 * { id, code, stdout, stderr, changed } on stdout. Anything else the process writes (to its real
 * stderr) is a leak the test sees.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const jobsFile = process.argv[2];
const root = fileURLToPath(new URL('../../', import.meta.url));
const { main } = await import(join(root, 'dist/src/cli/main.js'));

function snapshot(dir) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        out.push(`${path}/`);
        walk(path);
      } else {
        const info = statSync(path);
        out.push(`${path} ${info.size} ${info.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.join('\n');
}

const jobs = JSON.parse(readFileSync(jobsFile, 'utf8'));
const baseEnv = { ...process.env };
const realStdout = process.stdout.write.bind(process.stdout);
const stdoutWrite = process.stdout.write;
const stderrWrite = process.stderr.write;
const results = [];
for (const job of jobs) {
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv, job.env ?? {});
  const before = snapshot(job.watch);
  let stdout = '';
  let stderr = '';
  const capture = (append) =>
    function write(chunk, encoding, callback) {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
  process.stdout.write = capture((text) => (stdout += text));
  process.stderr.write = capture((text) => (stderr += text));
  let code;
  let timer;
  try {
    code = await Promise.race([
      main(['node', 'kms-rotation-audit', ...job.argv]),
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), job.timeoutMs ?? 10_000))),
    ]);
  } catch (err) {
    code = 'threw';
    stderr += String(err?.stack ?? err);
  } finally {
    clearTimeout(timer);
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  results.push({ id: job.id, code, stdout, stderr, changed: snapshot(job.watch) !== before });
}
realStdout(JSON.stringify(results), () => process.exit(0));
