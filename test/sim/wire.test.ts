import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type SimCredentials, type Simulator } from '../../src/sim/index.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'us-east-1', keyId: 'k1' }] }] }) });
});
afterAll(() => sim.stop());

/** Sign and send a raw request, to check the exact bytes the simulator answers. */
async function send(service: string, headers: Record<string, string>, body: string, opts: { credentials?: SimCredentials; path?: string; query?: Record<string, string> } = {}) {
  const url = new URL(sim.endpoint);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: opts.path ?? '/',
    query: opts.query ?? {},
    headers: { host: url.host, ...headers },
    body,
  });
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: opts.credentials ?? sim.baseCredentials, sha256: Sha256 });
  const signed = await signer.sign(request);
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  const res = await fetch(`${sim.endpoint}${signed.path}${qs ? `?${qs}` : ''}`, { method: 'POST', headers: signed.headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const kmsHeaders = (op: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${op}` });

describe('wire format', () => {
  it('answers JSON errors with __type, message and x-amzn-ErrorType', async () => {
    const res = await send('kms', kmsHeaders('DescribeKey'), JSON.stringify({ KeyId: 'nope' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(res.text)).toEqual({ __type: 'NotFoundException', message: "Key 'arn:aws:kms:us-east-1:111111111111:key/nope' does not exist" });
  });

  it('sends dates as epoch seconds', async () => {
    const res = await send('kms', kmsHeaders('DescribeKey'), JSON.stringify({ KeyId: 'k1' }));
    expect(JSON.parse(res.text).KeyMetadata.CreationDate).toBe(Date.parse('2024-01-01T00:00:00.000Z') / 1000);
  });

  it('verifies signatures that cover a non-root path and a query string', async () => {
    const res = await send('kms', kmsHeaders('ListKeys'), '{}', { path: '/some/path', query: { b: '2', a: 'x y' } });
    expect(res.status).toBe(200);
  });

  it('answers STS in XML with the 2011-06-15 namespace, and STS errors with Type Sender', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await send('sts', form, 'Action=GetCallerIdentity&Version=2011-06-15');
    expect(ok.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>');
    expect(ok.text).toContain('<Account>111111111111</Account>');
    const err = await send('sts', form, 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A999999999999%3Arole%2FR&RoleSessionName=s1');
    expect(err.status).toBe(403);
    expect(err.text).toMatch(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: arn:aws:iam::111111111111:user\/kms-rotation-audit-sim is not authorized/);
  });

  it('answers EC2 in XML with the 2016-11-15 namespace and Response/Errors/Error', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await send('ec2', form, 'Action=DescribeRegions&Version=2016-11-15');
    expect(ok.text).toContain('<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    expect(ok.text).toContain('<regionInfo><item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>');
    const bad = await send('ec2', form, 'Action=DescribeRegions&Version=2016-11-15', { credentials: { accessKeyId: 'AKIANOTISSUED0000000', secretAccessKey: 'x' } });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('<Response><Errors><Error><Code>AuthFailure</Code>');
  });

  it('answers unsigned requests and unknown operations in the service dialect', async () => {
    const unsigned = await fetch(sim.endpoint, { method: 'POST', headers: kmsHeaders('ListKeys'), body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
    const unknown = await send('kms', kmsHeaders('ScheduleKeyDeletion'), '{}');
    expect(JSON.parse(unknown.text).__type).toBe('UnknownOperationException');
    const badJson = await send('kms', kmsHeaders('ListKeys'), '{');
    expect(JSON.parse(badJson.text).__type).toBe('SerializationException');
    expect(sim.stats().calls['kms:CreateKey']).toBeUndefined();
  });
});
