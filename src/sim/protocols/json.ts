import { AwsError, type Reply } from './aws-error.js';

// awsJson1_1 (KMS, Organizations): errors carry `__type` and the message; the SDK reads the code
// from `__type` first, then the `x-amzn-ErrorType` header (@aws-sdk/core AwsJsonRpcProtocol.handleError).
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function jsonReply(output: unknown, requestId: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: output === undefined ? '' : JSON.stringify(output),
  };
}

/** KMS names the member `message`, Organizations `Message` (their models differ). */
export function jsonErrorReply(err: AwsError, requestId: string, messageKey: 'message' | 'Message'): Reply {
  return {
    status: err.status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
    body: JSON.stringify({ __type: err.code, [messageKey]: err.message, ...err.fields }),
  };
}

/** Epoch seconds, the awsJson timestamp format. */
export function epochSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return value as Record<string, unknown>;
}
