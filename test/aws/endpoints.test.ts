/**
 * Where the data came from: the origins a scan's requests went to are recorded in the results header,
 * and anything that is not an AWS endpoint (the simulator here) is flagged as not evidence.
 */
import { partition } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { AWS_DNS_SUFFIXES, dataSourceOf, isAwsEndpoint, nonAwsEndpoints, originOf } from '../../src/aws/endpoints.js';
import { parseCheckpoint } from '../../src/engine/checkpoint.js';
import { mergeHeaders, type Part } from '../../src/app/merge/header.js';
import { simScenario } from '../../src/sim/index.js';
import { makeHeader } from '../helpers/results.js';
import { scan, withSim } from '../engine/helpers.js';

describe('AWS endpoints', () => {
  it("knows every DNS suffix of the SDK's partitions (one region of each partition)", () => {
    const regions = ['us-east-1', 'cn-north-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'];
    const suffixes = new Set(regions.flatMap((region) => [partition(region).dnsSuffix, partition(region).dualStackDnsSuffix]));
    expect([...suffixes].sort()).toEqual([...AWS_DNS_SUFFIXES].sort());
  });

  it('takes HTTPS names under a partition suffix as AWS, and nothing else', () => {
    for (const origin of ['https://kms.eu-west-1.amazonaws.com', 'https://kms-fips.us-east-1.amazonaws.com', 'https://sts.cn-north-1.amazonaws.com.cn', 'https://kms.us-east-1.api.aws', 'https://vpce-0abc-1234.kms.us-east-1.vpce.amazonaws.com:443']) {
      expect(isAwsEndpoint(origin), origin).toBe(true);
    }
    for (const origin of ['http://127.0.0.1:4566', 'http://kms.eu-west-1.amazonaws.com', 'https://localhost.localstack.cloud:4566', 'https://amazonaws.com.evil.example', 'https://evilamazonaws.com', 'https://kms.eu-west-1.amazonaws.com:8443', 'not a url']) {
      expect(isAwsEndpoint(origin), origin).toBe(false);
    }
  });

  it('writes origins as scheme, host and port', () => {
    expect(originOf({ protocol: 'https:', hostname: 'KMS.eu-west-1.amazonaws.com' })).toBe('https://kms.eu-west-1.amazonaws.com');
    expect(originOf({ protocol: 'http', hostname: '127.0.0.1', port: 4566 })).toBe('http://127.0.0.1:4566');
    expect(dataSourceOf(['https://b.amazonaws.com', 'https://a.amazonaws.com', 'https://a.amazonaws.com'])).toEqual({ endpoints: ['https://a.amazonaws.com', 'https://b.amazonaws.com'], nonAws: false });
  });
});

describe('the data source of a scan', () => {
  const s = simScenario({ accounts: [{ id: '111111111111', keys: [{ region: 'eu-west-1', keyId: 'k1' }] }, { id: '222222222222', keys: [{ region: 'us-east-1', keyId: 'k2' }] }] });

  it('records the endpoint every request went to, flagged as not AWS, in the results header', async () => {
    await withSim({ scenario: s }, async (sim) => {
      const run = await scan(sim);
      const source = run.outcome.header.dataSource!;
      expect(source).toEqual({ endpoints: [sim.endpoint.replace(/\/$/, '')], nonAws: true });
      expect(nonAwsEndpoints(source)).toEqual(source.endpoints);
    });
  });

  it('a resumed run adds the endpoints its earlier attempts recorded in the checkpoint', () => {
    const run = { type: 'run', format: 'kms-rotation-audit/checkpoint', formatVersion: 1, scanId: 'scan-1', startedAt: '2026-01-01T00:00:00Z', shard: null, scope: {} };
    const account = (id: string, endpoints?: string[]): string =>
      JSON.stringify({ type: 'account', accountId: id, coverage: {}, regions: [], keyCalls: {}, batches: [], apiCalls: {}, ...(endpoints ? { endpoints } : {}) });
    const lines = (...records: string[]): Buffer => Buffer.from(records.join('\n') + '\n');
    const known = parseCheckpoint(lines(JSON.stringify(run), account('111111111111', ['http://127.0.0.1:1']), JSON.stringify({ type: 'resume', at: 'x' }), account('222222222222', ['https://kms.us-east-1.amazonaws.com'])), 'cp');
    expect(known.state.endpoints).toEqual(['http://127.0.0.1:1', 'https://kms.us-east-1.amazonaws.com']);
    const older = parseCheckpoint(lines(JSON.stringify(run), account('111111111111')), 'cp');
    expect(older.state.endpoints).toBeNull();
  });

  it('a merged run keeps the endpoints of every part, flagged when any is not AWS', () => {
    const part = (index: number, endpoints: string[] | null): Part => ({
      source: `part-${index}`,
      path: `part-${index}`,
      shard: { index, count: 2 },
      header: { ...makeHeader(), ...(endpoints ? { dataSource: { endpoints, nonAws: false } } : {}) },
    });
    const merged = mergeHeaders([part(0, ['https://kms.us-east-1.amazonaws.com']), part(1, ['http://127.0.0.1:9'])]);
    // The stored flag of part 1 says false; the merge decides again from the endpoint.
    expect(merged.dataSource).toEqual({ endpoints: ['http://127.0.0.1:9', 'https://kms.us-east-1.amazonaws.com'], nonAws: true });
    expect(mergeHeaders([part(0, null), part(1, null)]).dataSource).toBeUndefined();
  });
});
