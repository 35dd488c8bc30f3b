/**
 * The PDF's integrity page (needs pdftotext from poppler-utils, and openssl): who signed, with which
 * key and how to verify; the re-judgement; the tampering finding with --allow-tampered; and the
 * README's openssl command line accepts the signature over manifest.json as it is.
 */
import { execFileSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { createSigningKey, evidenceScenario, scanInto, tempDir, writeKeyFile } from './helpers.js';

const pdfText = (path: string): string => execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
const sh = (script: string, cwd: string): string => execFileSync('bash', ['-c', script], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario: evidenceScenario() });
});
afterAll(async () => sim.stop());

describe('integrity page and openssl', () => {
  it('a KMS-signed run: the PDF names the key and algorithm, and openssl verifies the signature', async () => {
    const arn = await createSigningKey(sim);
    const run = join(await tempDir(), 'run');
    await scanInto(sim, run, { signKmsKeyId: arn, failOn: 'never' });
    const text = pdfText(join(run, 'report.pdf'));
    const fingerprint = (JSON.parse(await readFile(join(run, 'manifest.json'), 'utf8')) as { signer: { publicKeySha256: string } }).signer.publicKeySha256;
    expect(text).toContain('manifest.json is signed by the AWS KMS key arn:aws:kms:us-');
    expect(text).toContain('with ECDSA_SHA_256 (kms:Sign over its SHA-256 digest, MessageType DIGEST)');
    expect(text).toContain(fingerprint);
    expect(text).toContain('The PDF carries no signature of its own (PAdES)');
    const out = sh('jq -r .publicKeyPem manifest.sig.json > /tmp/$$.pem && jq -r .signature manifest.sig.json | base64 -d > /tmp/$$.sig && openssl dgst -sha256 -verify /tmp/$$.pem -signature /tmp/$$.sig manifest.json; rm -f /tmp/$$.pem /tmp/$$.sig', run);
    expect(out.trim()).toBe('Verified OK');
    expect(sh(`jq -r '.files[] | "\\(.sha256)  \\(.name)"' manifest.json | sha256sum -c --quiet && echo all-ok`, run).trim()).toBe('all-ok');
  });

  it('Ed25519 key file: openssl pkeyutl verifies; a re-render names the re-judgement; --allow-tampered prints the finding', async () => {
    const root = await tempDir();
    const key = await writeKeyFile(root, 'ed25519');
    const run = join(root, 'run');
    await scanInto(sim, run, { signKeyFile: key.path, failOn: 'never' });
    expect(sh('jq -r .publicKeyPem manifest.sig.json > /tmp/$$.pem && jq -r .signature manifest.sig.json | base64 -d > /tmp/$$.sig && openssl pkeyutl -verify -pubin -inkey /tmp/$$.pem -rawin -in manifest.json -sigfile /tmp/$$.sig; rm -f /tmp/$$.pem /tmp/$$.sig', run).trim()).toBe('Signature Verified Successfully');
    expect(pdfText(join(run, 'report.pdf'))).toMatch(/manifest\.json is signed by the private key of the file signer-ed25519\.pem \(a local key, not held in KMS\) with ED25519/);

    await runReportCommand({ from: [join(run, 'results.json')], sign: { signKeyFile: key.path } });
    expect(pdfText(join(run, 'report.pdf'))).toMatch(/all \d+ keys were judged again from their own recorded facts/);

    const tampered = join(root, 'tampered');
    await cp(run, tampered, { recursive: true });
    const path = join(tampered, 'results.json');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/("keyArn":"[^"]*000000000001".*?"status":)"FAIL"/, '$1"PASS"'));
    await runReportCommand({ from: [path], allowTampered: true });
    const text = pdfText(join(tampered, 'report.pdf'));
    expect(text).toMatch(/TAMPERING FINDING: 1 of \d+ keys carry a status that their own recorded facts do not give/);
    expect(text).toContain('This run folder is not signed');
    // On the cover too, before anything else is read.
    const cover = sh('pdftotext -f 1 -l 1 report.pdf - | tr -s "[:space:]" " "', tampered);
    expect(cover).toMatch(/TAMPERING FINDING\. 1 of \d+ keys carries a status that their own recorded facts do not give: results\.json was edited after the scan/);
  });
});
