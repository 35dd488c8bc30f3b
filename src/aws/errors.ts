/**
 * How an AWS call failed, in the terms the scan needs: retry it, refresh credentials, call the
 * region "not enabled", or record the error. Codes follow the SDK's own classification
 * (@smithy/service-error-classification: THROTTLING_ERROR_CODES, TRANSIENT_ERROR_CODES,
 * NODEJS_TIMEOUT_ERROR_CODES) and the services' common errors
 * (e.g. https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
import type { AwsErrorRecord } from '../core/results.js';

export type ErrorClass = 'throttling' | 'server' | 'network' | 'expired-credentials' | 'not-enabled' | 'not-found' | 'fatal';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);
const SERVER = new Set(['KMSInternalException', 'DependencyTimeoutException', 'InternalFailure', 'InternalError', 'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException', 'ServiceException', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'TimeoutError', 'AbortError', 'ERR_STREAM_PREMATURE_CLOSE']);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired']);
/** A call into a region not enabled for the account (JSON services / STS): https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId']);
const NOT_FOUND = new Set(['NotFoundException']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  /** Set on errors we wrap (e.g. a failed AssumeRole surfacing through a credential provider). */
  awsOperation?: unknown;
  awsCode?: unknown;
  cause?: unknown;
}

/** The AWS error code (`AccessDeniedException`), or the Node error code (`ECONNRESET`), or the error name. */
export function errorCode(err: unknown): string {
  const e = (err ?? {}) as ErrorShape;
  if (typeof e.awsCode === 'string') return e.awsCode;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (code && (name === 'Error' || name === '' || NETWORK.has(code))) return code;
  if (name && name !== 'Error') return name;
  const status = httpStatus(err);
  if (status !== null) return `HTTP${status}`;
  return code || 'UnknownError';
}

export function httpStatus(err: unknown): number | null {
  const status = ((err ?? {}) as ErrorShape).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : null;
}

export function classifyError(err: unknown): ErrorClass {
  // Already retried by the layer that made that call (e.g. a session refresh): never retried again.
  if (err instanceof AwsCallError) return 'fatal';
  const code = errorCode(err);
  if (THROTTLING.has(code)) return 'throttling';
  if (EXPIRED.has(code)) return 'expired-credentials';
  if (NOT_ENABLED.has(code)) return 'not-enabled';
  if (NOT_FOUND.has(code)) return 'not-found';
  if (NETWORK.has(code)) return 'network';
  const message = String(((err ?? {}) as ErrorShape).message ?? '');
  if (/socket hang up|ECONNRESET|EPIPE|other side closed/i.test(message)) return 'network';
  if (SERVER.has(code)) return 'server';
  const status = httpStatus(err);
  if (status !== null && status >= 500) return 'server';
  if (status === 429) return 'throttling';
  return 'fatal';
}

export function isRetryable(cls: ErrorClass): boolean {
  return cls === 'throttling' || cls === 'server' || cls === 'network';
}

const MAX_MESSAGE = 500;

/** The record kept against a key, region or account. The message is AWS text: untrusted, kept short. */
export function toErrorRecord(err: unknown, operation: string): AwsErrorRecord {
  const e = (err ?? {}) as ErrorShape;
  const raw = typeof e.message === 'string' && e.message ? e.message : String(err);
  const message = stripControls(raw).slice(0, MAX_MESSAGE);
  return { code: errorCode(err), message, operation: typeof e.awsOperation === 'string' ? e.awsOperation : operation };
}

/** Control characters (newlines, escapes) out of AWS text, so a message stays one inert line. */
function stripControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out.replace(/ {2,}/g, ' ');
}

/** An error that names the AWS call that really failed (e.g. sts:AssumeRole behind a KMS call's credentials). */
export class AwsCallError extends Error {
  override readonly name: string;
  readonly awsCode: string;
  readonly awsOperation: string;
  constructor(record: AwsErrorRecord, options?: { cause?: unknown }) {
    super(record.message, options);
    this.name = record.code;
    this.awsCode = record.code;
    this.awsOperation = record.operation;
  }
}
