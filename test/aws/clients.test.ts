/**
 * ClientFactory's clients sign with one SigV4 signer per client and signing scope (reuseSigner in
 * src/aws/clients.ts), not a new one per request. The simulator verifies every signature
 * (src/sim/sigv4.ts), so these requests only succeed when the reused signer still signs each one
 * correctly, with the credentials of the moment.
 */
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ClientFactory } from '../../src/aws/clients.js';
import { SharedHttpHandler } from '../../src/aws/http.js';
import { simScenario } from '../../src/sim/index.js';
import { withSim } from '../engine/helpers.js';

const scenario = simScenario({
  accounts: [
    { id: '111111111111', keys: [{ region: 'eu-west-1', keyId: 'a-key' }] },
    { id: '222222222222', keys: [{ region: 'eu-west-1', keyId: 'b-key' }] },
  ],
});

describe('SDK clients', () => {
  it('hand back one signer per signing scope, and each request is signed with the credentials of the moment', async () => {
    await withSim({ scenario }, async (sim) => {
      const http = new SharedHttpHandler({ maxSockets: 4 });
      try {
        const factory = new ClientFactory({ httpHandler: http, endpoint: sim.endpoint });
        // Credentials inside the SDK's refresh window: the provider is asked again for every request.
        let account = '';
        const provider = async () => ({ ...sim.credentialsFor(account), expiration: new Date(Date.now() + 60_000) });
        const kms = factory.kms('eu-west-1', provider);

        const listed: string[] = [];
        for (account of ['111111111111', '222222222222', '111111111111', '222222222222']) listed.push(((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId).join(','));
        expect(listed).toEqual(['a-key', 'b-key', 'a-key', 'b-key']);

        const scheme = { name: 'sigv4', signingRegion: 'eu-west-1', signingName: 'kms', properties: {} };
        const first = await kms.config.signer(scheme);
        expect(await kms.config.signer({ ...scheme })).toBe(first);
        const other = await kms.config.signer({ ...scheme, signingRegion: 'eu-central-1' });
        expect(other).not.toBe(first);
        kms.destroy();
      } finally {
        http.close();
      }
    });
  });
});
