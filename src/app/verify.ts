/**
 * `verify`: checks a run folder without trusting the machine that wrote it.
 *  1. manifest.json is there and names every regular file of the folder, no more and no fewer,
 *     each with its size and SHA-256 (a flipped byte anywhere fails, naming the file);
 *  2. manifest.sig.json verifies over manifest.json's exact bytes with the recorded public key,
 *     which must match the fingerprint the manifest itself names (and the auditor's own copy of
 *     the key with --public-key; for a KMS signer kms:Verify too with --online);
 *  3. every key of results.json is re-judged from its facts (src/evidence/rejudge.ts).
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileDigest } from '../io/files.js';
import { LOCK_FILE } from '../io/run-folder.js';
import { checkHeader } from '../report/header.js';
import { MANIFEST_FORMAT, MANIFEST_NAME } from '../report/manifest.js';
import { RESULTS_FILE } from '../core/run-files.js';
import { openResults } from '../io/results-document.js';
import { canonicalJson } from '../evidence/canonical.js';
import { kmsVerify, type KmsSignerOptions } from '../evidence/kms-signer.js';
import { describeDisagreement, Rejudge } from '../evidence/rejudge.js';
import { dataSourceOf, nonAwsEndpoints } from '../aws/endpoints.js';
import { publicKeyFingerprint, SIGNATURE_FORMAT, SIGNATURE_NAME, verifyWith, type SignatureDocument, type SignerInfo } from '../evidence/signature.js';

export interface VerifyOptions {
  /** Also ask KMS to verify a KMS signature (kms:Verify), with these client settings. */
  online?: Pick<KmsSignerOptions, 'region' | 'credentials' | 'endpoint'> | null;
  /** The signer's public key (PEM) as the auditor obtained it independently: the recorded one must be this key. */
  trustedPublicKeyPem?: string | null;
  /** Accept a folder without a signature (digests and re-judgement only). */
  allowUnsigned?: boolean;
}

export interface VerifyOutcome {
  valid: boolean;
  /** One line each, naming the file or key. */
  problems: string[];
  /** What was checked, for the verdict line. */
  checked: { files: number; signer: SignerInfo | null; signatureValid: boolean | null; kmsVerified: boolean | null; keys: number | null; disagreements: number | null; nonAwsEndpoints?: string[] };
  /** Things not covered that the reader should know (sub-folders). */
  notes: string[];
}

interface ManifestShape {
  format?: unknown;
  scanId?: unknown;
  scan?: { dataSource?: { endpoints?: unknown; nonAws?: unknown } | null };
  signer?: SignerInfo | null;
  files?: { name: string; bytes: number; sha256: string }[];
}

export async function verifyRunFolder(dir: string, opts: VerifyOptions = {}): Promise<VerifyOutcome> {
  const problems: string[] = [];
  const notes: string[] = [];
  const checked: VerifyOutcome['checked'] = { files: 0, signer: null, signatureValid: null, kmsVerified: null, keys: null, disagreements: null };
  const done = (): VerifyOutcome => ({ valid: problems.length === 0, problems, checked, notes });

  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(join(dir, MANIFEST_NAME));
  } catch {
    problems.push(`${MANIFEST_NAME}: missing (an unfinished run, or not a run folder)`);
    return done();
  }
  let manifest: ManifestShape;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as ManifestShape;
  } catch {
    problems.push(`${MANIFEST_NAME}: not valid JSON`);
    return done();
  }
  if (!manifest || manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) {
    problems.push(`${MANIFEST_NAME}: not a kms-rotation-audit manifest (expected "format": "${MANIFEST_FORMAT}" with "files")`);
    return done();
  }

  await checkFiles(dir, manifest.files, problems, notes);
  checked.files = manifest.files.length;
  // Integrity is not authenticity of the data: a run against a simulator or emulator verifies, and says so.
  const source = manifest.scan?.dataSource;
  if (source && Array.isArray(source.endpoints)) {
    const recorded = dataSourceOf(source.endpoints.map(String));
    if (recorded.nonAws || source.nonAws === true) checked.nonAwsEndpoints = nonAwsEndpoints(recorded);
  }
  await checkSignature(dir, manifestBytes, manifest.signer ?? null, opts, problems, checked);

  const listedResults = manifest.files.some((f) => f.name === RESULTS_FILE);
  if (!listedResults) problems.push('results.json: not listed in manifest.json, so no key can be re-judged');
  else await checkJudgements(join(dir, RESULTS_FILE), manifest.scanId, problems, checked);
  return done();
}

async function checkFiles(dir: string, listed: { name: string; bytes: number; sha256: string }[], problems: string[], notes: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const present = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  const names = new Set<string>();
  for (const file of listed) {
    names.add(file.name);
    // A listed name must be a plain file name of this folder (never a path elsewhere).
    if (typeof file.name !== 'string' || file.name.includes('/') || file.name.includes('\\') || file.name.startsWith('.')) {
      problems.push(`${MANIFEST_NAME}: lists ${JSON.stringify(file.name)}, which is not a file name of the run folder`);
      continue;
    }
    if (!present.has(file.name)) {
      problems.push(`${file.name}: listed in ${MANIFEST_NAME} but missing from the folder`);
      continue;
    }
    const actual = await fileDigest(join(dir, file.name));
    if (actual.sha256 !== file.sha256) problems.push(`${file.name}: SHA-256 ${actual.sha256} differs from ${file.sha256} in ${MANIFEST_NAME} (${actual.bytes} bytes, manifest says ${file.bytes})`);
    else if (actual.bytes !== file.bytes) problems.push(`${file.name}: ${actual.bytes} bytes, ${MANIFEST_NAME} says ${file.bytes}`);
  }
  for (const name of [...present].sort()) {
    if (name === MANIFEST_NAME || name === SIGNATURE_NAME || names.has(name)) continue;
    // A lock file: a run is writing this folder now, or one was killed while writing it (src/io/run-folder.ts).
    if (LOCK_FILE.test(name)) problems.push(`${name}: a run's lock file: a run is writing this folder, or one was killed while writing it`);
    else problems.push(`${name}: in the folder but not listed in ${MANIFEST_NAME} (not written by the run, or added after it)`);
  }
  const folders = entries.filter((e) => e.isDirectory()).map((e) => `${e.name}/`);
  if (folders.length > 0) notes.push(`sub-folders are not part of the run's evidence and were not checked: ${folders.sort().join(', ')}`);
}

async function checkSignature(dir: string, manifestBytes: Buffer, signer: SignerInfo | null, opts: VerifyOptions, problems: string[], checked: VerifyOutcome['checked']): Promise<void> {
  let raw: string | null = null;
  try {
    raw = await readFile(join(dir, SIGNATURE_NAME), 'utf8');
  } catch {
    raw = null;
  }
  if (!signer) {
    if (raw !== null) problems.push(`${SIGNATURE_NAME}: present, but ${MANIFEST_NAME} names no signer`);
    else if (!opts.allowUnsigned) problems.push(`${MANIFEST_NAME}: not signed (no ${SIGNATURE_NAME}); nothing shows who produced this folder (--allow-unsigned checks the digests only)`);
    return;
  }
  checked.signer = signer;
  if (raw === null) {
    problems.push(`${SIGNATURE_NAME}: missing, but ${MANIFEST_NAME} names the signer ${signer.keyId}`);
    return;
  }
  let doc: SignatureDocument;
  try {
    doc = JSON.parse(raw) as SignatureDocument;
  } catch {
    problems.push(`${SIGNATURE_NAME}: not valid JSON`);
    return;
  }
  if (doc.format !== SIGNATURE_FORMAT || typeof doc.signature !== 'string' || typeof doc.publicKeyPem !== 'string') {
    problems.push(`${SIGNATURE_NAME}: not a kms-rotation-audit manifest signature (expected "format": "${SIGNATURE_FORMAT}")`);
    return;
  }
  let fingerprint: string;
  try {
    const key = createPublicKey(doc.publicKeyPem);
    fingerprint = publicKeyFingerprint(key);
    // Lenient decoders skip stray characters: require the exact form written, so no byte of the file can change unnoticed.
    const exact = raw === JSON.stringify(doc, null, 2) + '\n' && key.export({ format: 'pem', type: 'spki' }).toString() === doc.publicKeyPem && Buffer.from(doc.signature, 'base64').toString('base64') === doc.signature;
    if (!exact) problems.push(`${SIGNATURE_NAME}: not byte for byte in the form this tool writes (edited after signing)`);
  } catch {
    problems.push(`${SIGNATURE_NAME}: publicKeyPem is not a public key`);
    return;
  }
  if (canonicalJson(doc.signer) !== canonicalJson(signer)) problems.push(`${SIGNATURE_NAME}: names the signer ${JSON.stringify(doc.signer)}, ${MANIFEST_NAME} names ${JSON.stringify(signer)}`);
  if (fingerprint !== signer.publicKeySha256) problems.push(`${SIGNATURE_NAME}: its public key (SHA-256 ${fingerprint}) is not the one ${MANIFEST_NAME} names (${signer.publicKeySha256})`);
  if (opts.trustedPublicKeyPem) {
    const trusted = publicKeyFingerprint(createPublicKey(opts.trustedPublicKeyPem));
    if (trusted !== fingerprint) problems.push(`${SIGNATURE_NAME}: signed with the key SHA-256 ${fingerprint}, not with the trusted public key given (SHA-256 ${trusted})`);
  }
  const digest = createHash('sha256').update(manifestBytes).digest('hex');
  if (doc.signedSha256 !== digest) problems.push(`${SIGNATURE_NAME}: signs a manifest with SHA-256 ${String(doc.signedSha256)}, not this ${MANIFEST_NAME} (${digest})`);
  const signature = Buffer.from(doc.signature, 'base64');
  checked.signatureValid = verifyWith(signer.algorithm, manifestBytes, doc.publicKeyPem, signature);
  if (!checked.signatureValid) problems.push(`${SIGNATURE_NAME}: the ${signer.algorithm} signature does not verify over ${MANIFEST_NAME} with the recorded public key`);
  if (opts.online && signer.type === 'aws-kms' && signer.algorithm !== 'ED25519') {
    try {
      checked.kmsVerified = await kmsVerify({ keyId: signer.keyId, ...opts.online }, manifestBytes, signature, signer.algorithm);
      if (!checked.kmsVerified) problems.push(`${SIGNATURE_NAME}: kms:Verify with ${signer.keyId} says the signature is not valid`);
    } catch (err) {
      problems.push(`${SIGNATURE_NAME}: kms:Verify with ${signer.keyId} failed (${(err as { name?: string }).name ?? 'Error'})`);
    }
  }
}

async function checkJudgements(resultsPath: string, scanId: unknown, problems: string[], checked: VerifyOutcome['checked']): Promise<void> {
  try {
    const reader = await openResults(resultsPath);
    const header = checkHeader(reader.header, resultsPath);
    if (header.scanId !== scanId) problems.push(`results.json: scan id ${header.scanId}, ${MANIFEST_NAME} says ${String(scanId)}`);
    const rejudge = new Rejudge(header, resultsPath);
    for await (const key of reader.keys()) rejudge.check(key);
    const report = rejudge.report();
    checked.keys = report.keys;
    checked.disagreements = report.disagreements;
    for (const d of report.listed) problems.push(`results.json: ${describeDisagreement(d)}`);
    if (report.disagreements > report.listed.length) problems.push(`results.json: ${report.disagreements - report.listed.length} more keys disagree with their facts`);
  } catch (err) {
    problems.push(`results.json: cannot be read to re-judge the keys (${(err as Error).message})`);
  }
}

/** The one-line verdict. */
export function verdictLine(target: string, outcome: VerifyOutcome): string {
  const c = outcome.checked;
  if (!outcome.valid) return `INVALID ${target}: ${outcome.problems[0]}${outcome.problems.length > 1 ? ` (and ${outcome.problems.length - 1} more problems)` : ''}`;
  const signature = c.signer ? `signature by ${c.signer.keyId} (${c.signer.algorithm}) verifies${c.kmsVerified ? ', confirmed by kms:Verify' : ''}` : 'NOT SIGNED (--allow-unsigned)';
  const notEvidence = c.nonAwsEndpoints ? `; NOT EVIDENCE: the data came from ${c.nonAwsEndpoints.length ? `non-AWS endpoints (${c.nonAwsEndpoints.join(', ')})` : 'an endpoint recorded as not AWS'}, a simulator or emulator` : '';
  return `VALID ${target}: ${c.files} files match manifest.json; ${signature}; ${c.keys ?? 0} keys re-judged from their facts, all agree${notEvidence}`;
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
