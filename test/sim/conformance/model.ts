/**
 * Checks one simulator answer against AWS's own API model (botocore service-2.json, in
 * test/fixtures/aws-models/): members the shape declares and no others, types, enum values,
 * required members, lengths, ranges and patterns, pagination members consistent, and error codes
 * the operation declares (with the model's HTTP status) or AWS's common errors.
 *
 * JSON services (awsJson 1.1: KMS, Organizations) are read as JSON; STS (awsQuery) and EC2
 * (ec2Query) answers are parsed from XML (the simulator's XML is plain elements and text) and
 * walked with the query protocols' rules: STS lists are `<member>` elements, EC2 lists `<item>`
 * elements, EC2 members carry their `locationName` (or the member name with a lower-case first letter).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface MemberRef {
  shape: string;
  locationName?: string;
}
interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number };
}
interface Operation {
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
}
export interface ServiceModel {
  metadata: { protocol: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}
interface Paginator {
  input_token: string | string[];
  output_token: string | string[];
  more_results?: string;
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'aws-models');

export function loadModel(file: string): ServiceModel {
  return JSON.parse(gunzipSync(readFileSync(join(FIXTURES, file))).toString('utf8')) as ServiceModel;
}

function loadPaginators(file: string): Record<string, Paginator> {
  return (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { pagination: Record<string, Paginator> }).pagination;
}

export const MODELS = {
  kms: { model: loadModel('kms-2014-11-01.json.gz'), paginators: loadPaginators('kms-2014-11-01.paginators.json') },
  organizations: { model: loadModel('organizations-2016-11-28.json.gz'), paginators: loadPaginators('organizations-2016-11-28.paginators.json') },
  sts: { model: loadModel('sts-2011-06-15.json.gz'), paginators: {} as Record<string, Paginator> },
  ec2: { model: loadModel('ec2-2016-11-15.describe-regions.json.gz'), paginators: {} as Record<string, Paginator> },
  securityhub: { model: loadModel('securityhub-2018-10-26.json.gz'), paginators: {} as Record<string, Paginator> },
} as const;
export type ServiceName = keyof typeof MODELS;

/**
 * Errors every operation may answer without declaring them, with their HTTP status
 * (KMS API reference "Common Errors": https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html;
 * STS: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html; EC2 API reference
 * "Error codes": https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 * Where the simulator's status differs from the page's, the page lists one status and the services
 * are known to send another; both are accepted and named (see the note in the issue-10 report).
 */
const JSON_COMMON: Record<string, number[]> = {
  AccessDeniedException: [400],
  IncompleteSignatureException: [400],
  IncompleteSignature: [400, 403],
  InternalFailure: [500],
  InvalidSignatureException: [400],
  MissingAuthenticationTokenException: [400],
  ExpiredTokenException: [400],
  ThrottlingException: [400],
  ServiceUnavailableException: [503],
  // The page lists 403; KMS and Organizations answer 400 (the simulator sends what the services send).
  UnrecognizedClientException: [400, 403],
  UnknownOperationException: [400, 404],
  // Constraint violations (lengths, ranges, patterns of the model) in awsJson services.
  ValidationException: [400],
  SerializationException: [400],
};
const COMMON: Record<ServiceName, Record<string, number[]>> = {
  kms: JSON_COMMON,
  organizations: JSON_COMMON,
  // restJson1: the error code travels in the X-Amzn-ErrorType header (Smithy, "AWS restJson1
  // protocol", https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization);
  // Security Hub's common errors: https://docs.aws.amazon.com/securityhub/1.0/APIReference/CommonErrors.html
  // (authentication failures answer 403, as every restJson1 service behind AWS's front end does).
  securityhub: {
    AccessDeniedException: [403],
    UnrecognizedClientException: [403],
    InvalidSignatureException: [403],
    ExpiredTokenException: [403],
    ThrottlingException: [429],
  },
  sts: {
    MissingAuthenticationToken: [403],
    IncompleteSignature: [403],
    InvalidClientTokenId: [403],
    SignatureDoesNotMatch: [403],
    ExpiredToken: [403],
    AccessDenied: [403],
    Throttling: [400],
    InternalFailure: [500],
    ServiceUnavailable: [503],
    InvalidAction: [400],
    ValidationError: [400],
  },
  ec2: {
    MissingAuthenticationToken: [401],
    IncompleteSignature: [400],
    AuthFailure: [401],
    SignatureDoesNotMatch: [403],
    RequestExpired: [400],
    UnauthorizedOperation: [403],
    RequestLimitExceeded: [503],
    InternalError: [500],
    Unavailable: [503],
    InvalidAction: [400],
    InvalidParameterValue: [400],
  },
};

export interface Violation {
  service: string;
  operation: string;
  path: string;
  problem: string;
}

const JSON_SERVICES = new Set<ServiceName>(['kms', 'organizations', 'securityhub']);

export function checkReply(service: ServiceName, operation: string, status: number, body: string, headers: Record<string, string> = {}): Violation[] {
  const { model, paginators } = MODELS[service];
  const out: Violation[] = [];
  const add = (path: string, problem: string): void => void out.push({ service, operation, path, problem });
  const op = model.operations[operation];
  if (!op) {
    if (status < 400) add('', 'operation not in the model');
    return checkError(service, operation, undefined, status, body, headers, add);
  }
  if (status >= 400) return checkError(service, operation, op, status, body, headers, add);
  if (status !== 200) add('', `HTTP ${status} for a success`);
  if (JSON_SERVICES.has(service)) {
    if (!op.output) {
      if (body !== '' && body !== '{}') add('', 'a body for an operation without output');
      return out;
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      add('', 'body is not JSON');
      return out;
    }
    checkJson(model, op.output.shape, value, op.output.shape, add);
    const pager = paginators[operation];
    if (pager && value && typeof value === 'object') checkPaging(pager, value as Record<string, unknown>, add);
    return out;
  }
  const tree = parseXml(body);
  if (!tree) {
    add('', 'body is not XML');
    return out;
  }
  if (tree.name !== `${operation}Response`) add(tree.name, `root element is not ${operation}Response`);
  if (service === 'sts') {
    const wrapper = op.output?.resultWrapper ?? `${operation}Result`;
    const result = tree.children.find((c) => c.name === wrapper);
    if (!result) add('', `no <${wrapper}>`);
    for (const child of tree.children) if (child.name !== wrapper && child.name !== 'ResponseMetadata') add(child.name, 'unknown element');
    if (result && op.output) checkXml(model, op.output.shape, result, op.output.shape, 'member', false, add);
  } else {
    const rest: XmlNode = { name: tree.name, text: '', children: tree.children.filter((c) => c.name !== 'requestId') };
    if (op.output) checkXml(model, op.output.shape, rest, op.output.shape, 'item', true, add);
  }
  return out;
}

function checkError(service: ServiceName, operation: string, op: Operation | undefined, status: number, body: string, headers: Record<string, string>, add: (path: string, problem: string) => void): Violation[] {
  const { model } = MODELS[service];
  const out: Violation[] = [];
  const push = (path: string, problem: string): void => {
    add(path, problem);
    out.push({ service, operation, path, problem });
  };
  let code: string | undefined;
  let fields: Record<string, unknown> = {};
  if (JSON_SERVICES.has(service)) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      code = service === 'securityhub' ? headers['x-amzn-errortype']?.split(':')[0] : typeof parsed.__type === 'string' ? parsed.__type : undefined;
      fields = Object.fromEntries(Object.entries(parsed).filter(([k]) => k !== '__type'));
    } catch {
      push('', 'error body is not JSON');
      return out;
    }
  } else {
    const tree = parseXml(body);
    const find = (node: XmlNode | null, name: string): XmlNode | undefined => (node ? (node.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean)) : undefined);
    code = find(tree, 'Code')?.text;
    if (service === 'sts' && tree?.name !== 'ErrorResponse') push('', 'STS error root is not ErrorResponse');
    if (service === 'ec2' && tree?.name !== 'Response') push('', 'EC2 error root is not Response');
  }
  if (!code) {
    push('', 'error without a code');
    return out;
  }
  const declared = (op?.errors ?? []).map((e) => e.shape).find((name) => name === code || model.shapes[name]?.error?.code === code);
  if (declared) {
    const shape = model.shapes[declared]!;
    // botocore: `fault: true` marks a server error (5xx); otherwise a client error, 400 unless the model says.
    const want = shape.error?.httpStatusCode ?? ((shape as { fault?: boolean }).fault ? 500 : 400);
    if (status !== want) push(code, `HTTP ${status}, the model says ${want}`);
    if (JSON_SERVICES.has(service)) checkJson(model, declared, fields, code, add);
    return out;
  }
  const common = COMMON[service][code];
  if (!common) push(code, `error code neither declared by ${operation} nor a common error`);
  else if (!common.includes(status)) push(code, `HTTP ${status} for common error ${code} (expected ${common.join(' or ')})`);
  return out;
}

function checkPaging(pager: Paginator, value: Record<string, unknown>, add: (path: string, problem: string) => void): void {
  const token = Array.isArray(pager.output_token) ? pager.output_token[0]! : pager.output_token;
  const more = pager.more_results;
  if (more === undefined) return;
  if (value[more] === true && typeof value[token] !== 'string') add(token, `${more} true without ${token}`);
  if (value[more] === false && value[token] !== undefined) add(token, `${token} with ${more} false`);
}

function regex(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

function checkScalar(shape: Shape, value: unknown, path: string, add: (path: string, problem: string) => void): void {
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return add(path, `expected a string, got ${JSON.stringify(value)}`);
      if (shape.enum && !shape.enum.includes(value)) add(path, `${JSON.stringify(value)} is not in the enum`);
      if (shape.min !== undefined && value.length < shape.min) add(path, `length ${value.length} < ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) add(path, `length ${value.length} > ${shape.max}`);
      if (shape.pattern) {
        const re = regex(shape.pattern);
        if (re && !re.test(value)) add(path, `${JSON.stringify(value.slice(0, 60))} does not match ${shape.pattern}`);
      }
      return;
    }
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) return add(path, `expected an integer, got ${JSON.stringify(value)}`);
      if (shape.min !== undefined && value < shape.min) add(path, `${value} < ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) add(path, `${value} > ${shape.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') add(path, `expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'timestamp':
      // awsJson: epoch seconds (a number).
      if (typeof value !== 'number' || !Number.isFinite(value)) add(path, `expected epoch seconds, got ${JSON.stringify(value)}`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') add(path, `expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'blob':
      if (typeof value !== 'string') add(path, 'expected base64 text');
      return;
    default:
      add(path, `unhandled shape type ${shape.type}`);
  }
}

export function checkJson(model: ServiceModel, shapeName: string, value: unknown, path: string, add: (path: string, problem: string) => void): void {
  const shape = model.shapes[shapeName];
  if (!shape) return add(path, `shape ${shapeName} not in the model`);
  if (value === null) return add(path, 'null');
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return add(path, 'expected an object');
      const obj = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(obj)) {
        const ref = shape.members?.[name];
        if (!ref) {
          // An exception's message member: KMS models `message`, Organizations `Message`.
          add(`${path}.${name}`, 'unknown member');
          continue;
        }
        checkJson(model, ref.shape, member, `${path}.${name}`, add);
      }
      for (const name of shape.required ?? []) if (obj[name] === undefined || obj[name] === null) add(`${path}.${name}`, 'required member missing');
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return add(path, 'expected a list');
      if (shape.min !== undefined && value.length < shape.min) add(path, `${value.length} items < ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) add(path, `${value.length} items > ${shape.max}`);
      value.forEach((item, i) => checkJson(model, shape.member!.shape, item, `${path}[${i}]`, add));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return add(path, 'expected a map');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        checkJson(model, shape.key!.shape, k, `${path}{key}`, add);
        checkJson(model, shape.value!.shape, v, `${path}{${k}}`, add);
      }
      return;
    }
    default:
      checkScalar(shape, value, path, add);
  }
}

interface XmlNode {
  name: string;
  text: string;
  children: XmlNode[];
}

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
}

/** The simulator's XML: elements (attributes ignored), text, no CDATA or comments. null when malformed. */
function parseXml(body: string): XmlNode | null {
  const src = body.replace(/^<\?xml[^>]*\?>\s*/, '');
  const root: XmlNode = { name: '#root', text: '', children: [] };
  const stack: XmlNode[] = [root];
  const re = /<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|([^<]+)/g;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    const top = stack[stack.length - 1]!;
    if (m[4] !== undefined) {
      top.text += unescape(m[4]);
      continue;
    }
    if (m[1] === '/') {
      if (top.name !== m[2]) return null;
      stack.pop();
      continue;
    }
    const node: XmlNode = { name: m[2]!, text: '', children: [] };
    top.children.push(node);
    if (m[3] !== '/') stack.push(node);
  }
  return stack.length === 1 && root.children.length === 1 ? root.children[0]! : null;
}

function xmlName(name: string, ref: MemberRef, ec2: boolean): string {
  if (ref.locationName) return ref.locationName;
  return ec2 ? name.charAt(0).toLowerCase() + name.slice(1) : name;
}

function checkXml(model: ServiceModel, shapeName: string, node: XmlNode, path: string, listElement: 'member' | 'item', ec2: boolean, add: (path: string, problem: string) => void): void {
  const shape = model.shapes[shapeName];
  if (!shape) return add(path, `shape ${shapeName} not in the model`);
  switch (shape.type) {
    case 'structure': {
      const byXml = new Map(Object.entries(shape.members ?? {}).map(([name, ref]) => [xmlName(name, ref, ec2), { name, ref }]));
      const seen = new Set<string>();
      for (const child of node.children) {
        const member = byXml.get(child.name);
        if (!member) {
          add(`${path}.${child.name}`, 'unknown member');
          continue;
        }
        seen.add(member.name);
        checkXml(model, member.ref.shape, child, `${path}.${member.name}`, listElement, ec2, add);
      }
      for (const name of shape.required ?? []) if (!seen.has(name)) add(`${path}.${name}`, 'required member missing');
      return;
    }
    case 'list': {
      const item = shape.member?.locationName ?? listElement;
      node.children.forEach((child, i) => {
        if (child.name !== item) add(`${path}[${i}]`, `list element <${child.name}>, expected <${item}>`);
        else checkXml(model, shape.member!.shape, child, `${path}[${i}]`, listElement, ec2, add);
      });
      return;
    }
    default: {
      if (node.children.length > 0) return add(path, 'elements inside a scalar');
      const text = node.text;
      const value = shape.type === 'integer' || shape.type === 'long' ? Number(text) : shape.type === 'boolean' ? (text === 'true' ? true : text === 'false' ? false : text) : text;
      if (shape.type === 'timestamp') {
        if (Number.isNaN(Date.parse(text))) add(path, `timestamp ${JSON.stringify(text)} is not ISO 8601`);
        return;
      }
      checkScalar(shape, value, path, add);
    }
  }
}

/**
 * The member paths of an operation's output shape (structures walked, lists as `[]`, maps as `{}`),
 * to compare with what the simulator sent: what AWS's model allows that the simulator never sends.
 */
export function outputMemberPaths(model: ServiceModel, operation: string): string[] {
  const output = model.operations[operation]?.output?.shape;
  if (!output) return [];
  const paths: string[] = [];
  const walk = (shapeName: string, path: string, seen: Set<string>): void => {
    const shape = model.shapes[shapeName];
    if (!shape || seen.has(shapeName)) return;
    const inner = new Set(seen).add(shapeName);
    if (shape.type === 'structure') {
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const at = path ? `${path}.${name}` : name;
        paths.push(at);
        walk(ref.shape, at, inner);
      }
    } else if (shape.type === 'list') walk(shape.member!.shape, `${path}[]`, inner);
    else if (shape.type === 'map') walk(shape.value!.shape, `${path}{}`, inner);
  };
  walk(output, '', new Set());
  return paths;
}

/** The member paths present in one JSON answer, in the notation of outputMemberPaths. */
export function presentMemberPaths(value: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) presentMemberPaths(item, `${path}[]`, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
      if (member === undefined || member === null) continue;
      const at = path ? `${path}.${name}` : name;
      into.add(at);
      presentMemberPaths(member, at, into);
    }
  }
  return into;
}
