/**
 * The commercial regions of the `aws` partition (34 as of early 2026). Regions launched after
 * 2019-03-20 are opt-in (AWS General Reference, "Enable or disable AWS Regions in your account").
 */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'sa-east-1',
];

export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'me-south-1', 'eu-south-1', 'ap-southeast-3', 'ap-south-2', 'eu-south-2', 'eu-central-2', 'me-central-1',
  'ap-southeast-4', 'il-central-1', 'ca-west-1', 'ap-southeast-5', 'ap-southeast-7', 'mx-central-1', 'ap-east-2', 'ap-southeast-6',
];

const DEFAULT_SET = new Set(DEFAULT_REGIONS);
const OPT_IN_SET = new Set(OPT_IN_REGIONS);

/** true / false for a known region, undefined for a name this list does not know. */
export function isOptInRegion(name: string): boolean | undefined {
  if (DEFAULT_SET.has(name)) return false;
  if (OPT_IN_SET.has(name)) return true;
  return undefined;
}
