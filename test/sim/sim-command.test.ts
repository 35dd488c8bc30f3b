import { ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { runSimCommand } from '../../src/cli/sim.js';
import { UsageError } from '../../src/core/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { kmsClient, orgClient } from './helpers.js';

async function startCommand(opts: Parameters<typeof runSimCommand>[0]) {
  const lines: string[] = [];
  const controller = new AbortController();
  let gotFour: () => void;
  const printed = new Promise<void>((resolve) => (gotFour = resolve));
  const running = runSimCommand({
    ...opts,
    signal: controller.signal,
    print: (line) => {
      lines.push(line);
      if (lines.length === 4) gotFour();
    },
  });
  await Promise.race([printed, running]);
  return { lines, stop: async () => (controller.abort(), running) };
}

describe('runSimCommand', () => {
  it('prints endpoint, base credentials and region, serves until stopped', async () => {
    const { lines, stop } = await startCommand({ accounts: 25, regions: 2, keysPerRegion: 1, seed: 3 });
    expect(lines.map((l) => l.split('=')[0])).toEqual(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']);
    const env = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.AWS_REGION).toBe('us-east-1');
    const sim = { endpoint: env.AWS_ENDPOINT_URL!, baseCredentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } } as Simulator;
    const accounts = [];
    let token: string | undefined;
    do {
      const out = await orgClient(sim).send(new ListAccountsCommand({ NextToken: token }));
      accounts.push(...(out.Accounts ?? []));
      token = out.NextToken;
    } while (token);
    expect(accounts).toHaveLength(25);
    expect((await kmsClient(sim).send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    await stop();
    await expect(kmsClient(sim).send(new ListKeysCommand({}))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects bad options before starting', async () => {
    await expect(runSimCommand({ accounts: 0 })).rejects.toThrow(UsageError);
    await expect(runSimCommand({ accounts: 0 })).rejects.toThrow('--accounts: expected a whole number from 1 to 100000, got "0"');
    await expect(runSimCommand({ port: 70000 })).rejects.toThrow('--port: expected a whole number from 0 to 65535, got "70000"');
    await expect(runSimCommand({ scenario: '/nonexistent.json' })).rejects.toThrow(UsageError);
  });
});
