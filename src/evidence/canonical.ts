/**
 * The canonical form of a JSON value: RFC 8785 JSON Canonicalization Scheme (JCS), by the
 * `canonicalize` package (written by one of the RFC's authors; https://www.rfc-editor.org/rfc/rfc8785).
 * Object members sorted by UTF-16 code units, no whitespace, ECMAScript number and string
 * serialisation: any JCS implementation turns the same value into the same bytes.
 */
import canonicalize from 'canonicalize';

export const CANONICALIZATION = 'RFC 8785 (JCS)';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}
