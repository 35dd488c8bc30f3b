/**
 * templates/terraform: every .tf file parses with @cdktf/hcl2json (HashiCorp's HCL parser compiled to
 * WebAssembly), each role's policies are read from templates/iam/*.json (one source with the
 * CloudFormation templates, which templates.test.ts checks against the same files), and the trust
 * policies carry the ExternalId and PrincipalOrgID conditions.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../templates/terraform');
const IAM = resolve(import.meta.dirname, '../../templates/iam');

type Hcl = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- hcl2json output, checked field by field

async function tfFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tfFiles(path)));
    else if (e.name.endsWith('.tf')) out.push(path);
  }
  return out.sort();
}

async function moduleHcl(name: string): Promise<Hcl> {
  const merged: Hcl = {};
  for (const file of ['main.tf', 'variables.tf', 'outputs.tf']) {
    const path = join(ROOT, name, file);
    const parsed = (await parse(path, await readFile(path, 'utf8'))) as Hcl;
    for (const [k, v] of Object.entries(parsed)) merged[k] = Array.isArray(v) ? [...(merged[k] ?? []), ...v] : { ...(merged[k] ?? {}), ...v };
  }
  return merged;
}

/**
 * Evaluates the subset of HCL the modules use for a policy local: jsondecode(replace(…(file("${path.module}/…"), "from", to)…)),
 * where `to` is var.x or a string with ${var.x}. Anything else in the expression fails the test.
 */
async function evaluatePolicy(moduleDir: string, expr: string, vars: Record<string, string>): Promise<{ file: string; value: unknown }> {
  const fileRe = /file\("\$\{path\.module\}\/([^"]+)"\)/;
  const fileMatch = fileRe.exec(expr);
  expect(fileMatch, expr).not.toBeNull();
  const file = resolve(moduleDir, fileMatch![1]!);
  const pairs = [...expr.matchAll(/,\s*"([^"]+)",\s*(var\.\w+|"[^"]*")\)/g)];
  const skeleton = expr.replace(fileRe, '').replace(/,\s*"([^"]+)",\s*(var\.\w+|"[^"]*")\)/g, ')').replace(/\s+/g, '');
  expect(skeleton).toBe('${jsondecode(' + 'replace('.repeat(pairs.length) + ')'.repeat(pairs.length) + ')}');
  const evalTo = (to: string): string => (to.startsWith('var.') ? vars[to.slice(4)]! : to.slice(1, -1).replace(/\$\{var\.(\w+)\}/g, (_, v: string) => vars[v]!));
  let text = await readFile(file, 'utf8');
  for (const p of pairs) text = text.replaceAll(p[1]!, evalTo(p[2]!));
  return { file: relative(IAM, file), value: JSON.parse(text) };
}

const iamJson = async (name: string): Promise<unknown> => JSON.parse(await readFile(join(IAM, name), 'utf8'));

describe('templates/terraform', () => {
  it('every .tf file parses, and every var.* a module uses is declared', async () => {
    const files = await tfFiles(ROOT);
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['reader-role/main.tf', 'scanner-role/main.tf', 'remediator-role/main.tf', 'examples/organization/main.tf']));
    for (const file of files) await expect(parse(file, await readFile(file, 'utf8')), file).resolves.toBeTypeOf('object');
    await expect(parse('bad.tf', 'resource "x" {')).rejects.toThrow();
    for (const dir of [...new Set(files.map((f) => dirname(f)))]) {
      const text = (await Promise.all(files.filter((f) => dirname(f) === dir).map((f) => readFile(f, 'utf8')))).join('\n');
      const declared = new Set(((await parse('v.tf', await readFile(join(dir, 'variables.tf'), 'utf8'))) as Hcl).variable ? Object.keys(((await parse('v.tf', await readFile(join(dir, 'variables.tf'), 'utf8'))) as Hcl).variable) : []);
      for (const m of text.matchAll(/var\.(\w+)/g)) expect(declared, `${relative(ROOT, dir)}: var.${m[1]}`).toContain(m[1]);
    }
  });

  it("each role's policies are exactly the templates/iam JSON documents", async () => {
    const cases: [module: string, policyResource: string, local: string, json: string][] = [
      ['reader-role', 'read', 'reader_policy', 'reader-policy.json'],
      ['scanner-role', 'scan', 'scanner_policy', 'scanner-policy.json'],
      ['scanner-role', 'securityhub_publish', 'securityhub_policy', 'securityhub-publish-policy.json'],
      ['remediator-role', 'remediate', 'remediator_policy', 'remediator-policy.json'],
    ];
    // The placeholders the JSON documents carry: with them as inputs the result must equal the file.
    const placeholders = { organization_id: 'o-exampleorgid', reader_role_name: 'KmsRotationAuditReader' };
    for (const [name, resource, local, json] of cases) {
      const hcl = await moduleHcl(name);
      const policies = hcl.resource.aws_iam_role_policy as Record<string, Hcl[]>;
      expect(policies[resource]![0]!.policy, `${name}.${resource}`).toBe(`\${jsonencode(local.${local})}`);
      const locals = Object.assign({}, ...(hcl.locals as Hcl[])) as Record<string, string>;
      const evaluated = await evaluatePolicy(join(ROOT, name), locals[local]!, placeholders);
      expect(evaluated.file).toBe(json);
      expect(evaluated.value, `${name}: ${json}`).toEqual(await iamJson(json));
      // Every inline policy of the module is one of these (or the caller's own bucket policy).
      for (const [r, [block]] of Object.entries(policies)) {
        if (r === 'reports_bucket') expect(block!.policy).toBe('${var.reports_bucket_policy_json}');
        else expect(block!.policy).toMatch(/^\$\{jsonencode\(local\.\w+_policy\)\}$/);
      }
    }
    // With a real organization id, only the condition value changes.
    const scanner = await moduleHcl('scanner-role');
    const real = await evaluatePolicy(join(ROOT, 'scanner-role'), Object.assign({}, ...(scanner.locals as Hcl[])).scanner_policy, { organization_id: 'o-abcdefghij', reader_role_name: 'Reader' });
    expect(JSON.stringify(real.value)).toContain('"aws:ResourceOrgID":"o-abcdefghij"');
    expect(JSON.stringify(real.value)).toContain('role/Reader"');
  });

  it('read and remediator roles trust one principal, with ExternalId and optional aws:PrincipalOrgID', async () => {
    for (const [name, principal] of [['reader-role', 'scanner_principal_arn'], ['remediator-role', 'remediator_principal_arn']] as const) {
      const hcl = await moduleHcl(name);
      const locals = Object.assign({}, ...(hcl.locals as Hcl[])) as Record<string, string>;
      expect(locals.trust_conditions).toContain('{ "sts:ExternalId" = var.external_id }');
      expect(locals.trust_conditions).toContain('var.organization_id == "" ? {} : { "aws:PrincipalOrgID" = var.organization_id }');
      const role = Object.values(hcl.resource.aws_iam_role as Record<string, Hcl[]>)[0]![0]!;
      expect(role.assume_role_policy).toContain(`Principal = { AWS = var.${principal} }`);
      expect(role.assume_role_policy).toContain('Condition = { StringEquals = local.trust_conditions }');
      expect(role.assume_role_policy).toContain('Action    = "sts:AssumeRole"');
      expect(hcl.variable.external_id[0].sensitive).toBe(true);
      expect(hcl.output.role_arn).toBeDefined();
    }
  });

  it('the example uses the modules and deploys over the organization account list', async () => {
    const main = (await parse('main.tf', await readFile(join(ROOT, 'examples/organization/main.tf'), 'utf8'))) as Hcl;
    expect(main.module.reader[0].source).toBe('../../reader-role');
    expect(main.module.scanner[0].source).toBe('../../scanner-role');
    const script = await readFile(join(ROOT, 'examples/organization/deploy-all.sh'), 'utf8');
    expect(script).toContain('aws organizations list-accounts');
    expect(script).toContain('-var "account_id=$account"');
  });
});
