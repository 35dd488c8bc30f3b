import { AwsError, type Reply } from './protocols/aws-error.js';
import type { ServiceName } from './protocols/dialect.js';
import { jsonErrorReply, jsonReply } from './protocols/json.js';
import { ec2ErrorReply, ec2Reply, stsErrorReply, stsReply } from './protocols/query.js';
import type { RoutedRequest } from './route.js';
import type { CallContext } from './services/context.js';
import { EC2_OPERATIONS } from './services/ec2.js';
import { KMS_OPERATIONS } from './services/kms.js';
import { checkOrganizationsAccess, ORGANIZATIONS_OPERATIONS } from './services/organizations.js';
import { STS_OPERATIONS } from './services/sts.js';

const OPERATIONS: Record<ServiceName, Record<string, unknown>> = {
  kms: KMS_OPERATIONS,
  organizations: ORGANIZATIONS_OPERATIONS,
  sts: STS_OPERATIONS,
  ec2: EC2_OPERATIONS,
};

export function isKnownOperation(service: ServiceName, operation: string): boolean {
  return Object.hasOwn(OPERATIONS[service], operation);
}

/** Render an error in the service's protocol. */
export function errorReply(service: ServiceName, err: AwsError, requestId: string): Reply {
  switch (service) {
    case 'kms':
      return jsonErrorReply(err, requestId, 'message');
    case 'organizations':
      return jsonErrorReply(err, requestId, 'Message');
    case 'sts':
      return stsErrorReply(err, requestId);
    case 'ec2':
      return ec2ErrorReply(err, requestId);
  }
}

/**
 * Run the operation (already authenticated and past faults and quotas) and render its answer;
 * `rewrite` (the "rewrite" faults) may change a JSON answer before it is rendered.
 */
export function invoke(ctx: CallContext, routed: RoutedRequest, requestId: string, rewrite: (output: unknown) => unknown = (output) => output): Reply {
  const op = routed.operation;
  switch (routed.service) {
    case 'kms':
      return jsonReply(rewrite(KMS_OPERATIONS[op]!(ctx, routed.json ?? {})), requestId);
    case 'organizations':
      checkOrganizationsAccess(ctx);
      return jsonReply(rewrite(ORGANIZATIONS_OPERATIONS[op]!(ctx, routed.json ?? {})), requestId);
    case 'sts':
      return stsReply(op, STS_OPERATIONS[op]!(ctx, routed.form ?? new URLSearchParams()), requestId);
    case 'ec2':
      return ec2Reply(op, EC2_OPERATIONS[op]!(ctx, routed.form ?? new URLSearchParams()), requestId);
  }
}
