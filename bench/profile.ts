/**
 * The benchmark's simulated organization: sizes, the per-region latency profile and the scenario
 * seed, shared by the orchestrator (run.ts) and its child processes.
 */
import { configSchema } from '../src/config/schema.js';
import { scanOptionsOf, type ScanOptions } from '../src/engine/options.js';
import type { SimLatencyProfile } from '../src/sim/index.js';

export const HOME_REGION = 'us-east-1';

export interface BenchSize {
  name: string;
  accounts: number;
  regions: number;
  keysPerRegion: number;
}

/** Issue 7: S 50 × 6, M 500 × 17, L 2,000 × 17, about 4 keys per account and region. */
export const SIZES: Record<string, BenchSize> = {
  S: { name: 'S', accounts: 50, regions: 6, keysPerRegion: 4 },
  M: { name: 'M', accounts: 500, regions: 17, keysPerRegion: 4 },
  L: { name: 'L', accounts: 2000, regions: 17, keysPerRegion: 4 },
};

/**
 * Round trips as seen from a scanner in the home region: the home region ~5 ms, the same continent
 * (North America) ~40 ms, any other continent ~150 ms, with ±3 ms jitter.
 */
export function latencyProfile(regions: string[]): SimLatencyProfile {
  const byRegion: Record<string, number> = {};
  for (const region of regions) byRegion[region] = latencyOf(region);
  return { default: 150, byRegion, jitterMs: 3 };
}

export function latencyOf(region: string): number {
  if (region === HOME_REGION) return 5;
  return /^(us|ca|mx)-/.test(region) ? 40 : 150;
}

/** The scan's options: the defaults of the config schema (src/config/schema.ts), concurrency from --concurrency. */
export function benchScanOptions(outDir: string, concurrency: number): ScanOptions {
  const config = { ...configSchema.parse({ roleSessionName: 'kms-rotation-audit-bench' }), concurrency };
  return scanOptionsOf(config, { outDir, homeRegion: HOME_REGION, shard: null });
}
