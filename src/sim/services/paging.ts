import { AwsError } from '../protocols/aws-error.js';

/** Opaque page tokens: base64url JSON, so callers cannot rely on their content. */
export function encodeToken(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken<T extends object>(token: string, invalid: () => AwsError): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object') throw invalid();
    return value as T;
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw invalid();
  }
}

/** An optional integer parameter within [min, max], else the service's validation error. */
export function intParam(value: unknown, name: string, min: number, max: number, fallback: number, error: (msg: string) => AwsError): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw error(`1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: Member must be an integer`);
  if (value < min) throw error(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max) throw error(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  return value;
}

export function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
