import { AwsError } from './aws-error.js';

export type ServiceName = 'kms' | 'organizations' | 'sts' | 'ec2';

/** Errors every service answers, each in its own words (codes and HTTP status as AWS sends them). */
export type CommonError =
  | 'missingAuth'
  | 'incompleteSignature'
  | 'unknownKey'
  | 'badSignature'
  | 'expired'
  | 'regionDisabled'
  | 'accessDenied'
  | 'throttle'
  | 'internal'
  | 'unavailable'
  | 'unknownOperation';

type Table = Record<CommonError, [code: string, status: number, message: string]>;

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const EXPIRED = 'The security token included in the request is expired';

// JSON services: KMS answers 400 for auth failures and ThrottlingException (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html);
// "UnrecognizedClientException" is also what a region not enabled for the account answers.
const json = (internal: string, throttle: string, accessMessage: string): Table => ({
  missingAuth: ['MissingAuthenticationTokenException', 400, 'Missing Authentication Token'],
  incompleteSignature: ['IncompleteSignatureException', 400, 'Authorization header requires Credential, SignedHeaders and Signature.'],
  unknownKey: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  badSignature: ['InvalidSignatureException', 400, BAD_SIGNATURE],
  expired: ['ExpiredTokenException', 400, EXPIRED],
  regionDisabled: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  accessDenied: ['AccessDeniedException', 400, accessMessage],
  throttle: [throttle, 400, 'Rate exceeded'],
  internal: [internal, 500, 'We encountered an internal error. Please try again.'],
  unavailable: ['ServiceUnavailableException', 503, 'Service is unavailable. Please try again later.'],
  unknownOperation: ['UnknownOperationException', 400, 'The requested operation is not supported.'],
});

const TABLES: Record<ServiceName, Table> = {
  kms: json('KMSInternalException', 'ThrottlingException', 'is not authorized to perform this operation'),
  organizations: json('ServiceException', 'TooManyRequestsException', "You don't have permissions to access this resource."),
  // STS: common Query errors; "ExpiredToken" is what STS sends for an expired session token.
  sts: {
    missingAuth: ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token'],
    incompleteSignature: ['IncompleteSignature', 403, 'Authorization header requires Credential, SignedHeaders and Signature.'],
    unknownKey: ['InvalidClientTokenId', 403, INVALID_TOKEN],
    badSignature: ['SignatureDoesNotMatch', 403, BAD_SIGNATURE],
    expired: ['ExpiredToken', 403, EXPIRED],
    regionDisabled: ['InvalidClientTokenId', 403, INVALID_TOKEN],
    accessDenied: ['AccessDenied', 403, 'is not authorized to perform this operation'],
    throttle: ['Throttling', 400, 'Rate exceeded'],
    internal: ['InternalFailure', 500, 'An internal error occurred.'],
    unavailable: ['ServiceUnavailable', 503, 'Service is unavailable.'],
    unknownOperation: ['InvalidAction', 400, 'Could not find operation for this request.'],
  },
  // EC2: AuthFailure for unknown keys and disabled regions, RequestExpired for expired sessions,
  // RequestLimitExceeded (HTTP 503) when throttled (EC2 API reference, "Error codes").
  ec2: {
    missingAuth: ['MissingAuthenticationToken', 401, 'Request is missing Authentication Token'],
    incompleteSignature: ['IncompleteSignature', 400, 'Authorization header requires Credential, SignedHeaders and Signature.'],
    unknownKey: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    badSignature: ['SignatureDoesNotMatch', 403, BAD_SIGNATURE],
    expired: ['RequestExpired', 400, 'Request has expired.'],
    regionDisabled: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    accessDenied: ['UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'],
    throttle: ['RequestLimitExceeded', 503, 'Request limit exceeded.'],
    internal: ['InternalError', 500, 'An internal error has occurred'],
    unavailable: ['Unavailable', 503, 'The server is overloaded and can\'t handle the request.'],
    unknownOperation: ['InvalidAction', 400, 'The action is not valid for this web service.'],
  },
};

export function commonError(service: ServiceName, kind: CommonError, message?: string): AwsError {
  const [code, status, text] = TABLES[service][kind];
  return new AwsError(code, message ?? text, status);
}
