/**
 * Where a scan's data came from: the origins (`scheme://host[:port]`) its requests were sent to, and
 * whether each one is AWS. An AWS service endpoint is an HTTPS name under the DNS suffix of an AWS
 * partition (the SDK's partitions data, @aws-sdk/core util-endpoints `partitions.js`: `dnsSuffix` and
 * `dualStackDnsSuffix`; test/aws/endpoints.test.ts checks this list against it). FIPS and VPC
 * endpoint names (`kms-fips.us-east-1.amazonaws.com`, `vpce-….kms.us-east-1.vpce.amazonaws.com`) are
 * under those suffixes too. Anything else (the simulator, an emulator, an address) is not AWS: data
 * read there is not evidence about an AWS organization, and the reports say so on every page.
 */

export const AWS_DNS_SUFFIXES = [
  'amazonaws.com',
  'amazonaws.com.cn',
  'amazonaws.eu',
  'c2s.ic.gov',
  'cloud.adc-e.uk',
  'csp.hci.ic.gov',
  'sc2s.sgov.gov',
  'api.aws',
  'api.amazonwebservices.com.cn',
  'api.amazonwebservices.eu',
  'api.aws.hci.ic.gov',
  'api.aws.ic.gov',
  'api.aws.scloud',
  'api.cloud-aws.adc-e.uk',
] as const;

/** The endpoints a run's data came from (results header `dataSource`, manifest `scan.dataSource`). */
export interface DataSource {
  /** Origins requests were sent to, sorted. */
  endpoints: string[];
  /** true when any of them is not an AWS endpoint: the run is not evidence. */
  nonAws: boolean;
}

/** `https://kms.eu-west-1.amazonaws.com`, `http://127.0.0.1:4566`: what a request's origin is written as. */
export function originOf(request: { protocol?: string; hostname?: string; port?: number }): string {
  const protocol = (request.protocol ?? 'https:').replace(/:?$/, ':');
  const host = (request.hostname ?? '').toLowerCase();
  return `${protocol}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${request.port ? `:${request.port}` : ''}`;
}

export function isAwsEndpoint(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443')) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return AWS_DNS_SUFFIXES.some((suffix) => host.endsWith(`.${suffix}`));
}

export function dataSourceOf(origins: Iterable<string>): DataSource {
  const endpoints = [...new Set(origins)].sort();
  return { endpoints, nonAws: endpoints.some((origin) => !isAwsEndpoint(origin)) };
}

/** The endpoints of `source` that are not AWS (what the "not evidence" stamp names). */
export function nonAwsEndpoints(source: DataSource): string[] {
  return source.endpoints.filter((origin) => !isAwsEndpoint(origin));
}
