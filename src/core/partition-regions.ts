/**
 * The regions of each AWS partition this version knows, and which of them every account has enabled.
 * Regions launched before 20 March 2019 are enabled by default and cannot be disabled; later ones
 * are opt-in ("Enable or disable AWS Regions in your account",
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html; the list of
 * regions: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
 *
 * Read at run time only as a fallback: the scan asks each account's EC2 DescribeRegions first (and
 * the caller's own when an account's is denied), so a region AWS adds later is still scanned there.
 */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'sa-east-1',
];

export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'me-south-1', 'eu-south-1', 'ap-southeast-3', 'ap-south-2', 'eu-south-2', 'eu-central-2', 'me-central-1',
  'ap-southeast-4', 'il-central-1', 'ca-west-1', 'ap-southeast-5', 'ap-southeast-7', 'mx-central-1', 'ap-east-2', 'ap-southeast-6',
];

/** Every region of a partition this version knows (all enabled by default outside `aws`); null for a partition it does not. */
const PARTITIONS: Record<string, { defaults: readonly string[]; optIn: readonly string[] }> = {
  aws: { defaults: DEFAULT_REGIONS, optIn: OPT_IN_REGIONS },
  'aws-cn': { defaults: ['cn-north-1', 'cn-northwest-1'], optIn: [] },
  'aws-us-gov': { defaults: ['us-gov-east-1', 'us-gov-west-1'], optIn: [] },
};

const ENABLED_BY_DEFAULT = new Set(Object.values(PARTITIONS).flatMap((p) => p.defaults));
const OPT_IN = new Set(OPT_IN_REGIONS);

export function partitionRegions(partition: string): string[] | null {
  const known = PARTITIONS[partition];
  return known ? [...known.defaults, ...known.optIn].sort() : null;
}

/** A region every account of its partition has enabled: it cannot answer "not enabled". */
export function isEnabledByDefault(region: string): boolean {
  return ENABLED_BY_DEFAULT.has(region);
}

/** true / false for a region this list knows, undefined for one it does not. */
export function isOptInRegion(name: string): boolean | undefined {
  if (DEFAULT_REGIONS.includes(name)) return false;
  if (OPT_IN.has(name)) return true;
  return undefined;
}
