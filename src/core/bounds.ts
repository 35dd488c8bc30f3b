/**
 * AWS's documented maximum lengths for the text the scan reads, enforced when the facts are read:
 * AWS never returns more, so longer text (a misbehaving endpoint, a hostile proxy) is cut with a
 * visible marker rather than carried into every report (a 100 kB account name made the PDF step run
 * out of memory). Sources: the botocore API models (kms-2014-11-01, organizations-2016-11-28, shapes):
 * KMS DescriptionType max 8192, AliasNameType max 256, TagKeyType max 128, TagValueType max 256;
 * Organizations AccountName max 128 (the model; the console says 50), OrganizationalUnitName and
 * RootName max 128.
 */
export const AWS_MAX = {
  description: 8192,
  alias: 256,
  tagKey: 128,
  tagValue: 256,
  accountName: 128,
  ouName: 128,
} as const;

/** The marker a cut text ends with; findings.csv and the PDF show it, so the row says it was cut. */
export function cutMarker(length: number): string {
  return ` [cut: ${length} characters, longer than AWS allows]`;
}

/** `value` when within `max` characters; else its first `max` characters and the marker. */
export function bounded<T extends string | null | undefined>(value: T, max: number): T {
  if (typeof value !== 'string' || value.length <= max) return value;
  return (value.slice(0, max) + cutMarker(value.length)) as T;
}
