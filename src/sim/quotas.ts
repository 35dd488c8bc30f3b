import type { SimOptions } from './types.js';

/**
 * AWS's published request quotas, requests per second (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html and the STS and
 * Organizations quota pages cited in src/aws/quotas.ts). KMS: per account, region and
 * operation. STS: one bucket per account and region. Organizations: its quota is unverified, so a
 * small shared 20/s per account is assumed. EC2 DescribeRegions: the "non-mutating actions"
 * bucket (burst 100, refill 20/s) of EC2 request throttling.
 */
const RATES: Record<string, { rate: number; burst?: number }> = {
  'kms:ListKeys': { rate: 500 },
  'kms:ListAliases': { rate: 500 },
  'kms:DescribeKey': { rate: 2000 },
  'kms:GetKeyRotationStatus': { rate: 1000 },
  'kms:ListResourceTags': { rate: 2000 },
  'kms:ListKeyRotations': { rate: 100 },
  // KMS "key management" write operations share the low 5/s-per-operation class.
  'kms:EnableKeyRotation': { rate: 5 },
  'kms:DisableKeyRotation': { rate: 5 },
  'sts:*': { rate: 600 },
  'organizations:*': { rate: 20 },
  'ec2:*': { rate: 20, burst: 100 },
};

const SHARED = new Set(['sts', 'organizations', 'ec2']);

interface Bucket {
  tokens: number;
  last: number;
  rate: number;
  burst: number;
}

export class QuotaBuckets {
  private buckets = new Map<string, Bucket>();
  private readonly scale: number;
  private readonly overrides: Record<string, number>;

  constructor(config: NonNullable<SimOptions['quotas']>) {
    this.scale = typeof config === 'object' ? (config.scale ?? 1) : 1;
    this.overrides = typeof config === 'object' ? (config.overrides ?? {}) : {};
  }

  /** Take one token; false means "throttle this request". */
  take(accountId: string, region: string, service: string, operation: string, now: number): boolean {
    const shared = SHARED.has(service);
    const opKey = shared ? `${service}:*` : `${service}:${operation}`;
    // Organizations is a global endpoint: one bucket per account whatever the signing region.
    const key = `${accountId}|${service === 'organizations' ? '' : region}|${opKey}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const override = this.overrides[`${service}:${operation}`] ?? this.overrides[opKey];
      const published = RATES[opKey];
      const rate = (override ?? published?.rate ?? 100) * this.scale;
      const burst = override !== undefined ? rate : (published?.burst ?? published?.rate ?? 100) * this.scale;
      bucket = { tokens: burst, last: now, rate, burst };
      this.buckets.set(key, bucket);
    }
    if (now > bucket.last) {
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.last) / 1000) * bucket.rate);
      bucket.last = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
