/**
 * The operations the scanner can call (src/aws/operations.ts) are the Command classes that src/aws,
 * src/collect and src/engine send, and the role policies shipped in templates/iam/ allow every one of
 * them: the reader policy what the read role calls, the scanner policy what the scanning identity
 * calls in the management account (its own account's keys included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCAN_OPERATIONS } from '../../src/aws/operations.js';
import { packageRoot } from '../../src/io/paths.js';

const SCANNER_FOLDERS = ['src/aws', 'src/collect', 'src/engine'];

function sources(folder: string): string[] {
  const dir = join(packageRoot, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(join(dir, name), 'utf8'));
}

/** Every `new XxxCommand(` of the scanner's folders, with the package it is imported from. */
function commandsSent(): Map<string, string> {
  const sent = new Map<string, string>();
  for (const text of SCANNER_FOLDERS.flatMap(sources)) {
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // not the names in comments
    for (const match of code.matchAll(/\bnew\s+([A-Z][A-Za-z0-9]*Command)\s*\(/g)) {
      const command = match[1]!;
      const from = new RegExp(`\\b${command}\\b[^;]*?from\\s+'(@aws-sdk/client-[a-z0-9-]+)'|\\b${command}\\b[^;]*?import\\('(@aws-sdk/client-[a-z0-9-]+)'\\)`).exec(code);
      sent.set(command, from?.[1] ?? from?.[2] ?? '(import not found)');
    }
  }
  return sent;
}

interface Statement {
  Effect: string;
  Action: string | string[];
}

function allowed(file: string): Set<string> {
  const statements = (JSON.parse(readFileSync(join(packageRoot, 'templates/iam', file), 'utf8')) as { Statement: Statement[] }).Statement;
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

describe('operations the scanner can call', () => {
  it('are exactly the Command classes src/aws, src/collect and src/engine send, from their packages', () => {
    const sent = commandsSent();
    expect(Object.fromEntries([...sent].sort())).toEqual(Object.fromEntries(SCAN_OPERATIONS.map((op) => [op.command, op.package]).sort()));
  });

  it('are named service:Operation after the command and its client package', () => {
    for (const op of SCAN_OPERATIONS) {
      const service = op.package.replace('@aws-sdk/client-', '');
      expect(op.operation, op.command).toBe(`${service}:${op.command.replace(/Command$/, '')}`);
    }
  });

  it('are counted by the throttle under the same names (every call site names its operation)', () => {
    const named = new Set(SCANNER_FOLDERS.flatMap(sources).flatMap((text) => [...text.matchAll(/'((?:kms|ec2|sts|organizations):[A-Z][A-Za-z]+)'/g)].map((m) => m[1]!)));
    for (const op of SCAN_OPERATIONS) expect(named.has(op.operation), op.operation).toBe(true);
  });
});

describe('templates/iam role policies', () => {
  const reader = SCAN_OPERATIONS.filter((op) => op.caller === 'reader').map((op) => op.operation);
  const scanner = SCAN_OPERATIONS.filter((op) => op.caller === 'scanner').map((op) => op.operation);

  it('reader-policy.json allows every operation the read role is used for, and nothing else', () => {
    expect([...allowed('reader-policy.json')].sort()).toEqual([...reader].sort());
  });

  it('scanner-policy.json allows every operation the scanning identity calls, its own account\'s key reads included', () => {
    const policy = allowed('scanner-policy.json');
    for (const operation of [...scanner, ...reader]) expect(policy.has(operation), operation).toBe(true);
    // Granted by the shipped policy although this version never calls them (kept for the templates' users).
    expect([...policy].filter((action) => !scanner.includes(action) && !reader.includes(action)).sort()).toEqual(['organizations:ListChildren', 'organizations:ListTagsForResource']);
  });
});
