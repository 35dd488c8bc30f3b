/**
 * The Node.js options the container image runs the CLI with (the Dockerfile's `ENV NODE_OPTIONS`):
 * the benchmarks start their scanning process with them, so their figures are the nightly job's.
 * `--scan-node-options=` (empty) measures Node.js's own defaults instead.
 */
import { readDockerfile } from '../test/container/image.js';

export function imageNodeOptions(): string {
  return readDockerfile().env.NODE_OPTIONS ?? '';
}
