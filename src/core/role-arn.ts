/**
 * The read role's ARN in each member account: `arn:${partition}:iam::${accountId}:role/<name>`, or a
 * user template with the same two placeholders (anything else is a UsageError before any AWS call).
 */
import { UsageError } from './errors.js';

const PLACEHOLDERS = new Set(['partition', 'accountId']);
// IAM role ARN: path and name of [\w+=,.@-] (IAM API reference, "Role" data type).
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export type RoleArnFor = (partition: string, accountId: string) => string;

/** `flag` names where the name or template came from in messages (src/core/sources.ts); default the flag. */
export function roleArnResolver(options: { roleName: string; roleArnTemplate: string | null }, from?: string): RoleArnFor {
  const template = options.roleArnTemplate ?? `arn:\${partition}:iam::\${accountId}:role/${options.roleName}`;
  const flag = from ?? (options.roleArnTemplate === null ? '--role-name' : '--role-arn-template');
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.has(match[1] ?? '')) {
      throw new UsageError(`${flag}: unknown placeholder \${${match[1] ?? ''}} in "${template}" (expected \${partition} or \${accountId})`);
    }
  }
  if (!template.includes('${accountId}')) {
    throw new UsageError(`${flag}: expected \${accountId} in the template, or every account would get the same role`);
  }
  const resolve: RoleArnFor = (partition, accountId) => template.replaceAll('${partition}', partition).replaceAll('${accountId}', accountId);
  const sample = resolve('aws', '123456789012');
  if (!ROLE_ARN.test(sample)) {
    throw new UsageError(`${flag}: "${template}" does not give an IAM role ARN (expected arn:\${partition}:iam::\${accountId}:role/[path/]Name, got ${sample})`);
  }
  return resolve;
}
