import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string; // yyyymmdd
  region: string;
  service: string;
  signedHeaders: string;
  signature: string;
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | 'missing' | 'malformed' {
  if (!header) return 'missing';
  const m = AUTH_RE.exec(header);
  if (!m) return 'malformed';
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!, signature: m[6]! };
}

// Derived signing keys are pure functions of (secret, date, region, service): caching them saves
// four HMACs per request (AWS SigV4 docs, "Derive a signing key").
const signingKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 200_000;

function signingKey(secret: string, a: ParsedAuthorization): Buffer {
  const cacheKey = `${secret}|${a.date}|${a.region}|${a.service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(a.date).digest();
    const kRegion = createHmac('sha256', kDate).update(a.region).digest();
    const kService = createHmac('sha256', kRegion).update(a.service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

/** RFC 3986 escaping as the SDK's `escapeUri` does it. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Canonical URI for every service but S3: normalised, then URI-encoded once more (SigV4 spec). */
function canonicalPath(path: string): string {
  if (path === '/' || path === '') return '/';
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const normalised = `${path.startsWith('/') ? '/' : ''}${out.join('/')}${out.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    if (k.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([escapeUri(k), escapeUri(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface SignedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Recompute the request's SigV4 signature with the issued secret and compare. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secret: string): boolean {
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(auth.date)) return false;
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  let headerBlock = '';
  for (const name of auth.signedHeaders.split(';')) {
    const raw = req.headers[name];
    if (raw === undefined) return false;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    headerBlock += `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  }
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const canonicalRequest = `${req.method}\n${canonicalPath(path)}\n${canonicalQuery(query)}\n${headerBlock}\n${auth.signedHeaders}\n${payloadHash}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${auth.date}/${auth.region}/${auth.service}/aws4_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', signingKey(secret, auth)).update(stringToSign).digest('hex');
  return expected === auth.signature;
}
