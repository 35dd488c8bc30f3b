/**
 * Regions to scan in an account: EC2 DescribeRegions called in the home region with that account's
 * own credentials lists the regions enabled for it (without AllRegions: aws-facts.md "Regions"),
 * intersected with the regions the user asked for.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';

export async function describeEnabledRegions(client: EC2Client, call: <T>(operation: string, send: () => Promise<T>) => Promise<T>): Promise<string[]> {
  const out = await call('ec2:DescribeRegions', () => client.send(new DescribeRegionsCommand({})));
  return (out.Regions ?? [])
    .filter((region) => region.OptInStatus !== 'not-opted-in')
    .flatMap((region) => (region.RegionName ? [region.RegionName] : []))
    .sort();
}

export interface RegionPlan {
  scan: string[];
  /** Requested but not enabled for the account. */
  notEnabled: string[];
}

/** `requested` null or 'all': every enabled region. `enabled` null: unknown (DescribeRegions failed), scan what was asked. */
export function planRegions(enabled: string[] | null, requested: string[] | 'all' | null): RegionPlan {
  if (requested === null || requested === 'all') return { scan: [...(enabled ?? [])].sort(), notEnabled: [] };
  const unique = [...new Set(requested)].sort();
  if (enabled === null) return { scan: unique, notEnabled: [] };
  const on = new Set(enabled);
  return { scan: unique.filter((region) => on.has(region)), notEnabled: unique.filter((region) => !on.has(region)) };
}
