/**
 * Reads CloudFormation YAML with its short-form intrinsic functions (!Ref, !Sub, !If …) turned into
 * their long JSON forms ({ Ref }, { 'Fn::Sub' }, { 'Fn::If' } …), so tests can walk a template.
 */
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

const functions = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or'];

function intrinsic(name: string, value: unknown): unknown {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt') return { 'Fn::GetAtt': typeof value === 'string' ? value.split('.') : value };
  return { [`Fn::${name}`]: value };
}

const cloudFormationTags: Tags = ['Ref', 'Condition', 'GetAtt', ...functions].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => intrinsic(name, value) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: { toJSON(): unknown }) => intrinsic(name, seq.toJSON()) },
  { tag: `!${name}`, collection: 'map' as const, resolve: (map: { toJSON(): unknown }) => intrinsic(name, map.toJSON()) },
]);

export function readCloudFormation(path: string): CloudFormationTemplate {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags, strict: true, uniqueKeys: true }) as CloudFormationTemplate;
}

export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: string;
  Description: string;
  Parameters: Record<string, { Type: string; Default?: unknown; NoEcho?: boolean; AllowedPattern?: string; AllowedValues?: string[] }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

/** Every IAM action named in a policy document (or any structure holding statements), sorted. */
export function actionsIn(node: unknown): string[] {
  const actions: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Action') actions.push(...(Array.isArray(child) ? (child as string[]) : [child as string]));
        else walk(child);
      }
    }
  };
  walk(node);
  return actions.sort();
}
