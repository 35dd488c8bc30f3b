/**
 * The Node.js options the container image runs the CLI with (the Dockerfile's `ENV NODE_OPTIONS`):
 * the benchmarks start their scanning or reporting process with them, so their figures are the
 * nightly job's. An empty override (`--scan-node-options=`, `REPORT_NODE_OPTIONS=`) measures
 * Node.js's own defaults instead (a NODE_OPTIONS of the calling shell is still inherited).
 */
import { readDockerfile } from '../test/container/image.js';

export function imageNodeOptions(): string {
  return readDockerfile().env.NODE_OPTIONS ?? '';
}

/** Options as command-line arguments: separated by white space, without quoting (none of ours needs it). */
export function nodeOptionArgs(options: string): string[] {
  return options.split(/\s+/).filter(Boolean);
}
