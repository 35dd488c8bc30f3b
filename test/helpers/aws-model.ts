/**
 * Checks a value against a shape of an AWS (botocore) service model: required members, member names,
 * types (string/integer/long/double/boolean/timestamp/list/map/structure), enums, patterns, length
 * and list limits. The models are copies of AWS's own (test/fixtures/aws-models/README.md).
 * Used for the simulator's answers and for the scheduling templates' requests
 * (test/container/template-schemas.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}
export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, { http: { method: string; requestUri: string }; input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

export function loadModel(file: string): ServiceModel {
  return JSON.parse(gunzipSync(readFileSync(join(import.meta.dirname, '../fixtures/aws-models', file))).toString('utf8')) as ServiceModel;
}

export interface ValidateOptions {
  /** A value only known at run time (e.g. a Step Functions `.$` path): present, but its type is not checked. */
  isDynamic?: (value: unknown) => boolean;
}

/** Problems of `value` against `shapeName` (empty when it conforms). */
export function validateShape(model: ServiceModel, shapeName: string, value: unknown, where = shapeName, options: ValidateOptions = {}): string[] {
  const errors: string[] = [];
  check(model, shapeName, value, where, errors, options);
  return errors;
}

function check(model: ServiceModel, name: string, value: unknown, where: string, errors: string[], options: ValidateOptions): void {
  if (options.isDynamic?.(value)) return;
  const shape = model.shapes[name];
  if (!shape) return void errors.push(`${where}: unknown shape ${name}`);
  switch (shape.type) {
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${where}: expected a structure`);
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) if (obj[req] === undefined) errors.push(`${where}.${req}: required member missing`);
      for (const [k, v] of Object.entries(obj)) {
        const member = shape.members?.[k];
        if (!member) errors.push(`${where}.${k}: not a member of ${name}`);
        else if (v !== undefined) check(model, member.shape, v, `${where}.${k}`, errors, options);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return void errors.push(`${where}: expected a list`);
      if (shape.max !== undefined && value.length > shape.max) errors.push(`${where}: ${value.length} items, at most ${shape.max}`);
      if (shape.min !== undefined && value.length < shape.min) errors.push(`${where}: ${value.length} items, at least ${shape.min}`);
      value.forEach((item, i) => check(model, shape.member!.shape, item, `${where}[${i}]`, errors, options));
      return;
    }
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${where}: expected a map`);
      for (const [k, v] of Object.entries(value)) {
        check(model, shape.key!.shape, k, `${where} key ${JSON.stringify(k)}`, errors, options);
        check(model, shape.value!.shape, v, `${where}.${k}`, errors, options);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return void errors.push(`${where}: expected a string`);
      if (shape.enum && !shape.enum.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      if (shape.pattern && !new RegExp(`^(?:${shape.pattern})$`, 'su').test(value)) errors.push(`${where}: ${JSON.stringify(value.slice(0, 60))} does not match ${shape.pattern}`);
      if (shape.max !== undefined && value.length > shape.max) errors.push(`${where}: longer than ${shape.max}`);
      if (shape.min !== undefined && value.length < shape.min) errors.push(`${where}: shorter than ${shape.min}`);
      return;
    }
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) errors.push(`${where}: expected an integer`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') errors.push(`${where}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${where}: expected a boolean`);
      return;
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') errors.push(`${where}: expected a timestamp`);
      return;
    default:
      errors.push(`${where}: shape type ${shape.type} not checked`);
  }
}
