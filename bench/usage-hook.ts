/**
 * Loaded with `node --import` into a process the bench times from outside (whole-process mode):
 * records when the first AWS request starts (Node's `http.client.request.start` diagnostics
 * channel, https://nodejs.org/api/diagnostics_channel.html#http) and, at exit, writes the process's
 * CPU time, peak RSS and that first-request time as one JSON line to $BENCH_USAGE_FILE.
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';

let firstRequestMs: number | null = null;
const onRequest = (): void => {
  firstRequestMs ??= performance.now();
};
subscribe('http.client.request.start', onRequest);

process.on('exit', () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  const line = { cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMB: Math.round(usage.maxRSS / 1024), firstRequestMs: firstRequestMs === null ? null : Math.round(firstRequestMs) };
  appendFileSync(file, JSON.stringify(line) + '\n');
});
