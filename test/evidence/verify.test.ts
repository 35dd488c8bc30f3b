/**
 * The evidence bundle end to end against the simulated organization: a scan signs its run folder
 * with a KMS key (kms:GetPublicKey, kms:Sign in the simulator) or a local key file, `verify`
 * accepts it (kms:Verify with --online), and any change to the folder is caught, naming the file.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../src/cli/verify.js';
import { canonicalJson } from '../../src/evidence/canonical.js';
import { verifyRunFolder } from '../../src/app/verify.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { createSigningKey, evidenceScenario, scanInto, tempDir, writeKeyFile } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the manifest's JSON, checked field by field below
type ManifestJson = Record<string, any>;

let sim: Simulator;
let signingKeyArn: string;
let kmsRun: string;
beforeAll(async () => {
  sim = await startSimulator({ scenario: evidenceScenario() });
  signingKeyArn = await createSigningKey(sim);
  kmsRun = join(await tempDir(), 'run');
  await scanInto(sim, kmsRun, { signKmsKeyId: signingKeyArn, failOn: 'never' });
});
afterAll(async () => sim.stop());

const online = () => ({ region: 'us-east-1', endpoint: sim.endpoint, credentials: sim.baseCredentials });

async function copyRun(from: string): Promise<string> {
  const to = join(await tempDir(), 'copy');
  const { cp } = await import('node:fs/promises');
  await cp(from, to, { recursive: true });
  return to;
}

describe('a run folder signed with a KMS key', () => {
  it('records the signer in the manifest, the signature beside it, and verifies offline and with kms:Verify', async () => {
    const bytes = await readFile(join(kmsRun, 'manifest.json'));
    const manifest = JSON.parse(bytes.toString('utf8')) as ManifestJson;
    // Written in canonical form: its bytes are the RFC 8785 form of its own content.
    expect(bytes.toString('utf8')).toBe(canonicalJson(manifest));
    expect(manifest.signer).toMatchObject({ type: 'aws-kms', keyId: signingKeyArn, algorithm: 'ECDSA_SHA_256' });
    expect(manifest.scan.callerIdentity.arn).toMatch(/^arn:aws:(iam|sts)::111111111111:/);
    expect(manifest.inputs.exceptionsRegister).toEqual({ name: 'exceptions.yaml', bytes: expect.any(Number), sha256: createHash('sha256').update(await readFile(join(kmsRun, '..', 'exceptions.yaml'))).digest('hex') });
    expect(manifest.inputs.frameworks).toMatchObject({ name: 'frameworks/', files: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(manifest.inputs.templates.name).toBe('templates/report/');
    expect(manifest.files.map((f: { name: string }) => f.name)).not.toContain('manifest.sig.json');
    // The signing key itself is a key of the scanned account: asymmetric, so NOT_APPLICABLE (5 keys in all).
    const sig = JSON.parse(await readFile(join(kmsRun, 'manifest.sig.json'), 'utf8')) as Record<string, unknown>;
    expect(sig).toMatchObject({ signed: 'manifest.json', kmsMessageType: 'DIGEST', signedSha256: createHash('sha256').update(bytes).digest('hex'), timestampToken: null });

    const outcome = await verifyRunFolder(kmsRun, { online: online() });
    expect(outcome.problems).toEqual([]);
    expect(outcome.valid).toBe(true);
    expect(outcome.checked).toMatchObject({ signatureValid: true, kmsVerified: true, keys: 5, disagreements: 0 });
  });

  it('prints a one-line verdict and exits 0; exit 1 for an invalid folder; 64 for no folder', async () => {
    const good = await runVerifyCommand({ target: kmsRun, publicKeyFile: null, online: true, allowUnsigned: false, homeRegion: 'us-east-1', env: {}, clientConfig: { endpoint: sim.endpoint, credentials: sim.baseCredentials } });
    expect(good.exitCode).toBe(0);
    expect(good.verdict).toMatch(new RegExp(`^VALID .*signature by ${signingKeyArn.replace(/[/.]/g, '\\$&')} \\(ECDSA_SHA_256\\) verifies, confirmed by kms:Verify; 5 keys re-judged`));
    expect(good.verdict).not.toContain('\n');
    // The folder verifies, and says its data came from the simulator (manifest.json scan.dataSource).
    expect(good.verdict).toMatch(new RegExp(`; NOT EVIDENCE: the data came from non-AWS endpoints \\(${sim.endpoint.replace(/\/$/, '').replace(/[/.]/g, '\\$&')}\\), a simulator or emulator$`));
    const dir = await copyRun(kmsRun);
    await writeFile(join(dir, 'extra.txt'), 'x');
    const bad = await runVerifyCommand({ target: dir, publicKeyFile: null, online: false, allowUnsigned: false, homeRegion: null, env: {} });
    expect(bad.exitCode).toBe(1);
    expect(bad.verdict).toMatch(/^INVALID .*extra\.txt: in the folder but not listed in manifest\.json/);
    await expect(runVerifyCommand({ target: join(dir, 'nope'), publicKeyFile: null, online: false, allowUnsigned: false, homeRegion: null, env: {} })).rejects.toThrow(/is not a folder/);
  });

  it('fails on a flipped byte in any file, naming that file', async () => {
    const names = (await readdir(kmsRun)).sort();
    expect(names).toEqual(['controls.csv', 'coverage.csv', 'exceptions.csv', 'findings.asff.json', 'findings.csv', 'findings.ocsf.json', 'findings.xlsx', 'manifest.json', 'manifest.sig.json', 'report.html', 'report.pdf', 'results.json']);
    for (const name of names) {
      const dir = await copyRun(kmsRun);
      const data = await readFile(join(dir, name));
      const at = Math.floor(data.length / 2);
      data[at] = data[at]! ^ 0x01;
      await writeFile(join(dir, name), data);
      const outcome = await verifyRunFolder(dir);
      expect(outcome.valid, name).toBe(false);
      expect(outcome.problems.join('\n'), name).toContain(name === 'manifest.json' ? 'manifest' : name);
    }
  });

  it('fails when a file is removed or the signature is missing', async () => {
    const dir = await copyRun(kmsRun);
    await rm(join(dir, 'coverage.csv'));
    expect((await verifyRunFolder(dir)).problems).toContain('coverage.csv: listed in manifest.json but missing from the folder');
    await rm(join(dir, 'manifest.sig.json'));
    expect((await verifyRunFolder(dir)).problems.join('\n')).toMatch(/manifest\.sig\.json: missing, but manifest\.json names the signer/);
  });

  it('refuses a manifest re-signed by someone else when the auditor pins the public key', async () => {
    const dir = await copyRun(kmsRun);
    const other = await writeKeyFile(dir, 'ec');
    const mine = await writeKeyFile(await tempDir(), 'ec');
    await rm(other.path);
    // The folder itself verifies; with the auditor's own copy of a different key it does not.
    const outcome = await verifyRunFolder(dir, { trustedPublicKeyPem: mine.publicKeyPem });
    expect(outcome.valid).toBe(false);
    expect(outcome.problems.join('\n')).toMatch(/not with the trusted public key given/);
  });
});

describe('a run folder signed with a local key file', () => {
  for (const type of ['ed25519', 'ec', 'rsa'] as const) {
    it(`${type}: signs, verifies, and a changed manifest fails the signature`, async () => {
      const root = await tempDir();
      const key = await writeKeyFile(root, type);
      const run = join(root, 'run');
      await scanInto(sim, run, { signKeyFile: key.path, failOn: 'never' });
      const outcome = await verifyRunFolder(run, { trustedPublicKeyPem: key.publicKeyPem });
      expect(outcome.problems).toEqual([]);
      expect(outcome.checked.signer).toMatchObject({ type: 'key-file', keyId: `signer-${type}.pem`, algorithm: { ed25519: 'ED25519', ec: 'ECDSA_SHA_256', rsa: 'RSASSA_PSS_SHA_256' }[type] });
      // Edit the manifest (a digest changed to match an edited file) and keep its canonical form: the signature no longer verifies.
      const manifest = JSON.parse(await readFile(join(run, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string }[] };
      manifest.files[0]!.sha256 = '0'.repeat(64);
      await writeFile(join(run, 'manifest.json'), canonicalJson(manifest));
      const problems = (await verifyRunFolder(run)).problems.join('\n');
      expect(problems).toMatch(/signature does not verify over manifest\.json/);
      expect(problems).toMatch(/signs a manifest with SHA-256 .*, not this manifest\.json/);
    });
  }

  it('an unsigned folder is invalid unless --allow-unsigned; bad key files are refused before any AWS call', async () => {
    const root = await tempDir();
    const run = join(root, 'run');
    await scanInto(sim, run, { failOn: 'never' });
    expect((await verifyRunFolder(run)).problems).toEqual([expect.stringMatching(/^manifest\.json: not signed/)]);
    expect((await verifyRunFolder(run, { allowUnsigned: true })).valid).toBe(true);
    const pub = join(root, 'pub.pem');
    await writeFile(pub, (await writeKeyFile(root, 'ec')).publicKeyPem);
    const before = JSON.stringify(sim.stats().calls);
    await expect(scanInto(sim, join(root, 'run2'), { signKeyFile: pub })).rejects.toThrow(/--sign-key-file .*pub\.pem: expected an unencrypted PEM private key .*got a public key/);
    await expect(scanInto(sim, join(root, 'run3'), { signKeyFile: join(root, 'missing.pem') })).rejects.toThrow(/--sign-key-file .*missing\.pem: cannot read the file \(ENOENT\)/);
    expect(JSON.stringify(sim.stats().calls)).toBe(before);
  });

  it('a KMS key that cannot sign is refused naming the flag and key', async () => {
    const root = await tempDir();
    await expect(scanInto(sim, join(root, 'run'), { signKmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/aaaaaaaa-0000-4000-8000-000000000001' })).rejects.toThrow(
      /--sign-kms-key-id arn:aws:kms:us-east-1:111111111111:key\/aaaaaaaa-0000-4000-8000-000000000001: kms:GetPublicKey failed with UnsupportedOperationException/,
    );
    await expect(scanInto(sim, join(root, 'run2'), { signKmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/bbbbbbbb-0000-4000-8000-000000000009' })).rejects.toThrow(/kms:GetPublicKey failed with NotFoundException/);
  });
});
