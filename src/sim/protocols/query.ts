import type { AwsError, Reply } from './aws-error.js';

// STS speaks awsQuery, EC2 ec2Query: form-encoded requests, XML answers. The SDK unwraps
// `<OpResponse><OpResult>` for STS and reads `<OpResponse>` members directly for EC2; errors are
// `<ErrorResponse><Error>` (STS) and `<Response><Errors><Error>` (EC2)
// (@aws-sdk/core AwsQueryProtocol.loadQueryError).
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const XML_CONTENT_TYPE = 'text/xml';

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/** `<tag>escaped text</tag>`, or '' when value is undefined. */
export function el(tag: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${tag}>${esc(String(value))}</${tag}>`;
}

function reply(status: number, body: string, requestId: string): Reply {
  return { status, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body };
}

export function stsReply(operation: string, resultXml: string, requestId: string): Reply {
  return reply(
    200,
    `<${operation}Response xmlns="${STS_NS}"><${operation}Result>${resultXml}</${operation}Result><ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${operation}Response>`,
    requestId,
  );
}

export function stsErrorReply(err: AwsError, requestId: string): Reply {
  return reply(
    err.status,
    `<ErrorResponse xmlns="${STS_NS}"><Error>${el('Type', err.type)}${el('Code', err.code)}${el('Message', err.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
    requestId,
  );
}

export function ec2Reply(operation: string, bodyXml: string, requestId: string): Reply {
  return reply(200, `${XML_HEAD}<${operation}Response xmlns="${EC2_NS}">${el('requestId', requestId)}${bodyXml}</${operation}Response>`, requestId);
}

export function ec2ErrorReply(err: AwsError, requestId: string): Reply {
  return reply(
    err.status,
    `${XML_HEAD}<Response><Errors><Error>${el('Code', err.code)}${el('Message', err.message)}</Error></Errors>${el('RequestID', requestId)}</Response>`,
    requestId,
  );
}
