/**
 * Regions to scan in an account: EC2 DescribeRegions called in the home region with that account's
 * own credentials. With AllRegions it also lists the opt-in regions the account has not enabled
 * (OptInStatus not-opted-in; EC2 API reference, DescribeRegions), so coverage can name them instead
 * of leaving them out silently. Intersected with the regions the user asked for.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';

export interface AccountRegions {
  enabled: string[];
  /** Opt-in regions the account has not enabled. */
  disabled: string[];
}

export async function describeAccountRegions(client: EC2Client, call: <T>(operation: string, send: () => Promise<T>) => Promise<T>): Promise<AccountRegions> {
  const { DescribeRegionsCommand } = await import('@aws-sdk/client-ec2'); // loaded with the client (clients.ts)
  const out = await call('ec2:DescribeRegions', () => client.send(new DescribeRegionsCommand({ AllRegions: true })));
  const names = (disabled: boolean): string[] =>
    (out.Regions ?? [])
      .filter((region) => (region.OptInStatus === 'not-opted-in') === disabled)
      .flatMap((region) => (region.RegionName ? [region.RegionName] : []))
      .sort();
  return { enabled: names(false), disabled: names(true) };
}

export interface RegionPlan {
  scan: string[];
  /** Requested (or, with 'all', existing opt-in) regions not enabled for the account. */
  notEnabled: string[];
}

/**
 * `requested` null or 'all': every enabled region. `regions` null: unknown (DescribeRegions failed),
 * scan what was asked. A requested region the account's list does not name at all is scanned too:
 * only `not-opted-in` makes a region "not enabled" without asking KMS.
 */
export function planRegions(regions: AccountRegions | null, requested: string[] | 'all' | null): RegionPlan {
  if (requested === null || requested === 'all') return { scan: [...(regions?.enabled ?? [])].sort(), notEnabled: [...(regions?.disabled ?? [])].sort() };
  const unique = [...new Set(requested)].sort();
  if (regions === null) return { scan: unique, notEnabled: [] };
  const off = new Set(regions.disabled);
  return { scan: unique.filter((region) => !off.has(region)), notEnabled: unique.filter((region) => off.has(region)) };
}
