import { describe, expect, it } from 'vitest';
import { metadataText, neutraliseFormula, pdfText, shellQuote } from '../../src/core/text.js';
import { remediationCommand } from '../../src/rules/kms-002/remediation.js';

describe('formula neutralisation', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['＝1', "'＝1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠1', "'＠1"],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
  });
});

describe('PDF and metadata text', () => {
  it('replaces control and bidi characters visibly and flattens line breaks', () => {
    expect(pdfText('a\u0007b\u202Ec\nd\te')).toBe('a\uFFFDb\uFFFDc d e');
    expect(pdfText('lone \uD800 surrogate')).toBe('lone \uFFFD surrogate');
    expect(pdfText(null)).toBe('');
  });
  it('keeps & < > out of metadata', () => {
    expect(metadataText('AT&T <script> "x"')).toBe('ATandT script x');
  });
});

describe('remediation command', () => {
  const key = { status: 'FAIL' as const, region: 'eu-west-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', rotationPeriodDays: null, multiRegionType: null };
  it('enables rotation in the key region', () => {
    expect(remediationCommand(key, 365)).toBe('aws kms enable-key-rotation --region eu-west-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab');
  });
  it('sets the period when the key period exceeds the policy maximum', () => {
    expect(remediationCommand({ ...key, rotationPeriodDays: 730 }, 365)).toBe(
      'aws kms enable-key-rotation --region eu-west-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --rotation-period-in-days 365',
    );
  });
  it('sets the period when the AWS default (365) exceeds a stricter policy', () => {
    expect(remediationCommand(key, 180)).toMatch(/--rotation-period-in-days 180$/);
  });
  it('never sets a period for a multi-Region replica, and is empty unless FAIL', () => {
    expect(remediationCommand({ ...key, multiRegionType: 'REPLICA', rotationPeriodDays: 900 }, 365)).not.toMatch(/rotation-period/);
    expect(remediationCommand({ ...key, status: 'PASS' }, 365)).toBeNull();
    expect(remediationCommand({ ...key, status: 'ERROR' }, 365)).toBeNull();
  });
  it('quotes untrusted ids for the shell', () => {
    expect(shellQuote("k'; rm -rf /")).toBe(`'k'\\''; rm -rf /'`);
    expect(shellQuote('-starts-with-dash')).toBe("'-starts-with-dash'");
    expect(shellQuote('mrk-1234abcd')).toBe('mrk-1234abcd');
  });
});
