/**
 * The simulator's signing keys through the real KMS client: CreateKey, GetPublicKey, Sign and
 * Verify with real key material; signatures over a DIGEST are checked by node:crypto over the
 * whole message, so the simulator's digest signing is held to the real algorithms.
 */
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { CreateKeyCommand, GetPublicKeyCommand, KMSInvalidSignatureException, SignCommand, VerifyCommand, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simScenario, startSimulator, type Simulator } from '../../src/sim/index.js';
import { failure, kmsClient } from './helpers.js';

const MGMT = '111111111111';
const R = 'eu-west-1';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    scenario: simScenario({ accounts: [{ id: MGMT, keys: [{ region: R, keyId: 'rsa-scenario', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, { region: R, keyId: 'symmetric' }] }] }),
  });
});
afterAll(async () => sim.stop());

const message = Buffer.from('{"files":[{"name":"report.pdf"}]}'.repeat(200)); // over 4096 bytes: only a DIGEST can be signed
const digest = createHash('sha256').update(message).digest();

function nodeVerifies(publicKeyDer: Uint8Array, algorithm: SigningAlgorithmSpec, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  if (algorithm === 'RSASSA_PSS_SHA_256') return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  return verify('sha256', message, key, signature);
}

describe('simulated KMS signing keys', () => {
  it('CreateKey makes an ECC_NIST_P256 signing key whose KeyMetadata matches the model; DIGEST signatures verify in node:crypto and kms:Verify', async () => {
    const kms = kmsClient(sim, { region: R });
    const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'signer', Tags: [{ TagKey: 'owner', TagValue: 'audit' }] }));
    expect(created.KeyMetadata).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', KeyManager: 'CUSTOMER', KeyState: 'Enabled', Origin: 'AWS_KMS', SigningAlgorithms: ['ECDSA_SHA_256'], AWSAccountId: MGMT });
    const arn = created.KeyMetadata!.Arn!;
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: arn }));
    expect(pub).toMatchObject({ KeyId: arn, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const signed = await kms.send(new SignCommand({ KeyId: arn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(signed).toMatchObject({ KeyId: arn, SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(nodeVerifies(pub.PublicKey!, 'ECDSA_SHA_256', signed.Signature!)).toBe(true);
    expect((await kms.send(new VerifyCommand({ KeyId: arn, Message: digest, MessageType: 'DIGEST', Signature: signed.Signature!, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid).toBe(true);
    const flipped = Buffer.from(signed.Signature!);
    flipped[flipped.length - 1]! ^= 1;
    expect(await failure(kms.send(new VerifyCommand({ KeyId: arn, Message: digest, MessageType: 'DIGEST', Signature: flipped, SigningAlgorithm: 'ECDSA_SHA_256' })))).toBeInstanceOf(KMSInvalidSignatureException);
    // RAW messages (up to 4096 bytes) are hashed by KMS itself.
    const raw = await kms.send(new SignCommand({ KeyId: arn, Message: Buffer.from('short'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(verify('sha256', Buffer.from('short'), createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' }), raw.Signature!)).toBe(true);
    kms.destroy();
  });

  for (const algorithm of ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] as const) {
    it(`an RSA_2048 key of the scenario signs a DIGEST with ${algorithm}, verified by node:crypto and kms:Verify`, async () => {
      const kms = kmsClient(sim, { region: R });
      const pub = await kms.send(new GetPublicKeyCommand({ KeyId: 'rsa-scenario' }));
      expect(pub.SigningAlgorithms).toContain(algorithm);
      const signed = await kms.send(new SignCommand({ KeyId: 'rsa-scenario', Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }));
      expect(signed.Signature!.length).toBe(256);
      expect(nodeVerifies(pub.PublicKey!, algorithm, signed.Signature!)).toBe(true);
      expect((await kms.send(new VerifyCommand({ KeyId: 'rsa-scenario', Message: digest, MessageType: 'DIGEST', Signature: signed.Signature!, SigningAlgorithm: algorithm }))).SignatureValid).toBe(true);
      const other = createHash('sha256').update('another manifest').digest();
      expect(await failure(kms.send(new VerifyCommand({ KeyId: 'rsa-scenario', Message: other, MessageType: 'DIGEST', Signature: signed.Signature!, SigningAlgorithm: algorithm })))).toBeInstanceOf(KMSInvalidSignatureException);
      kms.destroy();
    });
  }

  it('answers misuse as KMS does: a symmetric key, a wrong algorithm, a digest of the wrong length, a message over 4096 bytes', async () => {
    const kms = kmsClient(sim, { region: R });
    expect(await failure(kms.send(new SignCommand({ KeyId: 'symmetric', Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })))).toMatchObject({ name: 'InvalidKeyUsageException' });
    expect(await failure(kms.send(new GetPublicKeyCommand({ KeyId: 'symmetric' })))).toMatchObject({ name: 'UnsupportedOperationException' });
    expect(await failure(kms.send(new SignCommand({ KeyId: 'rsa-scenario', Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })))).toMatchObject({ name: 'InvalidKeyUsageException' });
    expect(await failure(kms.send(new SignCommand({ KeyId: 'rsa-scenario', Message: digest.subarray(0, 20), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(kms.send(new SignCommand({ KeyId: 'rsa-scenario', Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })))).toMatchObject({ name: 'ValidationException' });
    kms.destroy();
  });
});
