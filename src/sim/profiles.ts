/**
 * Fault profiles: answers real AWS, or another emulator, sends and this simulator does not by
 * itself, built from "rewrite" faults (src/sim/faults.ts) so the real SDK and scanner see them.
 */
import { keyArn } from './services/kms-keys.js';
import type { SimFault, SimKey } from './types.js';

/**
 * An independent AWS emulator, as one was observed answering an organization built through its API:
 * - DescribeKey omits `KeyUsage` for keys CreateKey was not given a KeyUsage for (AWS documents
 *   ENCRYPT_DECRYPT as the default, and a SYMMETRIC_DEFAULT key can have no other usage);
 * - a multi-Region primary is reported as `REPLICA`, naming itself as its own primary.
 * Modelled on every SYMMETRIC_DEFAULT key (none is created with an explicit KeyUsage) and every primary.
 */
export function independentEmulatorFaults(): SimFault[] {
  return [
    {
      kind: 'rewrite',
      operations: ['kms:DescribeKey'],
      rewrite: { path: 'KeyMetadata.KeyUsage', action: 'drop', where: { 'KeyMetadata.KeySpec': 'SYMMETRIC_DEFAULT' } },
    },
    {
      kind: 'rewrite',
      operations: ['kms:DescribeKey'],
      rewrite: { path: 'KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType', action: 'set', value: 'REPLICA', where: { 'KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType': 'PRIMARY' } },
    },
  ];
}

/**
 * A multi-Region set in the middle of UpdatePrimaryRegion: DescribeKey of the primary shows it as a
 * REPLICA of the key in `newPrimaryRegion`, while that key (still a replica) names the old primary,
 * so no key claims to be the primary (KMS developer guide, "Updating the primary Region").
 * `times`: how many DescribeKey answers of the primary show it (default: all).
 */
export function midUpdatePrimaryRegionFaults(accountId: string, primary: SimKey, newPrimaryRegion: string, times?: number): SimFault[] {
  const where = { accounts: [accountId], regions: [primary.region], keyIds: [primary.keyId], operations: ['kms:DescribeKey'], ...(times === undefined ? {} : { times }) };
  return [
    {
      kind: 'rewrite',
      ...where,
      rewrite: {
        path: 'KeyMetadata.MultiRegionConfiguration',
        action: 'set',
        value: {
          MultiRegionKeyType: 'REPLICA',
          PrimaryKey: { Arn: keyArn(newPrimaryRegion, accountId, primary.keyId), Region: newPrimaryRegion },
          ReplicaKeys: [{ Arn: keyArn(primary.region, accountId, primary.keyId), Region: primary.region }],
        },
      },
    },
  ];
}

/** A key KMS is still creating or updating: DescribeKey answers KeyState `state` (Enabled false) for `times` answers (default: all). */
export function transitionalKeyFaults(accountId: string, key: SimKey, state: 'Creating' | 'Updating', times?: number): SimFault[] {
  const where = { accounts: [accountId], regions: [key.region], keyIds: [key.keyId], operations: ['kms:DescribeKey'], ...(times === undefined ? {} : { times }) };
  return [
    { kind: 'rewrite', ...where, rewrite: { path: 'KeyMetadata.KeyState', action: 'set', value: state } },
    { kind: 'rewrite', ...where, rewrite: { path: 'KeyMetadata.Enabled', action: 'set', value: false } },
  ];
}
