import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from './protocols/aws-error.js';
import { commonError, type ServiceName } from './protocols/dialect.js';
import { parseJsonBody } from './protocols/json.js';

/** The awsJson1_1 target prefixes (X-Amz-Target: `<prefix>.<Operation>`) from the service models. */
const JSON_TARGETS: Record<string, ServiceName> = {
  TrentService: 'kms',
  AWSOrganizationsV20161128: 'organizations',
};
/** Query protocol API versions. */
const QUERY_VERSIONS: Record<string, ServiceName> = {
  '2011-06-15': 'sts',
  '2016-11-15': 'ec2',
};

export interface RoutedRequest {
  service: ServiceName;
  /** '' when the request names no operation. */
  operation: string;
  json?: Record<string, unknown>;
  form?: URLSearchParams;
  /** Set when the body could not be parsed or the operation is unknown for the service. */
  error?: AwsError;
}

function isServiceName(name: string): name is ServiceName {
  return name === 'kms' || name === 'organizations' || name === 'sts' || name === 'ec2';
}

/**
 * Decide the service from the SigV4 scope when there is one (as AWS's front end does by host),
 * else from the request's own shape, and extract the operation and input.
 */
export function routeRequest(scopeService: string | undefined, headers: IncomingHttpHeaders, body: Buffer): RoutedRequest {
  const target = headers['x-amz-target'];
  let service: ServiceName | undefined = scopeService !== undefined && isServiceName(scopeService) ? scopeService : undefined;
  if (typeof target === 'string') {
    const dot = target.indexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    const targetService = JSON_TARGETS[prefix];
    service ??= targetService ?? 'kms';
    const operation = dot < 0 ? '' : target.slice(dot + 1);
    if (targetService !== service) return { service, operation, error: commonError(service, 'unknownOperation') };
    try {
      return { service, operation, json: parseJsonBody(body) };
    } catch (e) {
      return { service, operation, error: e instanceof AwsError ? e : commonError(service, 'internal') };
    }
  }
  const form = new URLSearchParams(body.toString('utf8'));
  service ??= QUERY_VERSIONS[form.get('Version') ?? ''] ?? 'sts';
  const operation = form.get('Action') ?? '';
  if (service === 'kms' || service === 'organizations') return { service, operation, error: commonError(service, 'unknownOperation') };
  return { service, operation, form };
}
