/**
 * The benchmark's simulator, in a process of its own (an SDK call costs the client far more CPU than
 * the simulator spends answering it; sharing one thread would halve the scanner's throughput).
 * Started by run.ts with fork(): `sim-process.js ACCOUNTS REGIONS KEYS_PER_REGION SEED`.
 * Messages: → 'ready' with the endpoint and credentials; ← 'stats' (answered with SimSummary),
 * ← 'reset', ← 'stop'.
 */
import { generateScenario, keysInScope, startSimulator, type SimCredentials, type SimStats } from '../src/sim/index.js';
import { latencyOf, latencyProfile } from './profile.js';

export interface SimReady {
  type: 'ready';
  endpoint: string;
  credentials: SimCredentials;
  regions: string[];
  accounts: number;
  /** Keys a complete scan reports: every key of the ACTIVE accounts it can enter. */
  expectedKeys: number;
}

export interface SimSummary {
  type: 'stats';
  calls: Record<string, number>;
  totalCalls: number;
  throttled: number;
  maxInFlight: number;
  /** Mean added latency of the calls answered (from the profile, by each call's region). */
  meanLatencyMs: number;
}

function summarise(stats: SimStats): SimSummary {
  let weighted = 0;
  let total = 0;
  for (const [scope, n] of Object.entries(stats.callsByScope)) {
    weighted += n * latencyOf(scope.split('|')[1] ?? '');
    total += n;
  }
  return { type: 'stats', calls: stats.calls, totalCalls: total, throttled: stats.throttled, maxInFlight: stats.maxInFlight, meanLatencyMs: weighted / Math.max(1, total) };
}

async function main(): Promise<void> {
  const [accounts, regions, keysPerRegion, seed] = process.argv.slice(2).map(Number) as [number, number, number, number];
  const scenario = generateScenario({ seed, accounts, regions, keysPerRegion });
  const regionNames = scenario.regions.map((r) => r.name);
  // AWS's published quotas on: a scan that outruns them is throttled, as it would be by AWS.
  const sim = await startSimulator({ scenario, latency: latencyProfile(regionNames), quotas: true, seed: 1 });
  const enterable = scenario.accounts.filter((a) => a.id === scenario.managementAccountId || a.roles.length > 0).map((a) => a.id);
  const ready: SimReady = {
    type: 'ready',
    endpoint: sim.endpoint,
    credentials: sim.baseCredentials,
    regions: regionNames,
    accounts: scenario.accounts.length,
    expectedKeys: keysInScope(scenario, { accountIds: enterable }).length,
  };
  process.send!(ready);
  process.on('message', (message: string) => {
    if (message === 'stats') process.send!(summarise(sim.stats()));
    if (message === 'reset') sim.resetStats();
    if (message === 'stop') void sim.stop().then(() => process.exit(0));
  });
  process.on('disconnect', () => void sim.stop().then(() => process.exit(0)));
}

await main();
