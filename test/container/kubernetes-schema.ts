/**
 * Kubernetes manifests against Kubernetes' API schemas, through kubernetes-models (one model class
 * per kind, generated from the Kubernetes OpenAPI definitions; https://github.com/tommy351/kubernetes-models-ts):
 *
 * 1. `new Model(manifest).validate()`: the JSON-schema validator generated from the OpenAPI
 *    definitions (types, required fields, enums, int32/int64 formats, quantities).
 * 2. Unknown fields: the OpenAPI definitions leave objects open, but the API server refuses a field
 *    it does not know under strict field validation (`kubectl apply --validate=strict`, kubectl's
 *    default since 1.27: https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation).
 *    Each manifest is type-checked by the TypeScript compiler as an object literal of the kind's
 *    interface from the same package (generated from the same definitions), whose excess-property
 *    check names every field the kind does not have, at any depth.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './image.js';

// A manifest is plain YAML data, walked by the tests that mutate copies of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubernetesManifest = any;

/** `kubernetes-models/<group>/<version>/<Kind>`: the core group's apiVersion is just `v1`. */
function modelPath(manifest: KubernetesManifest): string {
  if (typeof manifest?.apiVersion !== 'string' || typeof manifest?.kind !== 'string') throw new Error(`not a Kubernetes object (apiVersion and kind): ${JSON.stringify(manifest).slice(0, 80)}`);
  return `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;
}

async function schemaProblems(manifest: KubernetesManifest, where: string): Promise<string[]> {
  const module = (await import(modelPath(manifest))) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[manifest.kind];
  if (!Model) return [`${where}: kubernetes-models has no ${manifest.kind} in ${manifest.apiVersion}`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: { instancePath?: string; message?: string; params?: unknown }[] }).errors;
    if (!errors) return [`${where}: ${(err as Error).message}`];
    return errors.map((e) => `${where}${e.instancePath ?? ''}: ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`);
  }
}

/** Excess-property errors of each manifest typed as its kind's `I<Kind>` interface, one compile for all. */
function unknownFieldProblems(manifests: { manifest: KubernetesManifest; where: string }[]): string[] {
  // Virtual files beside this one, so that `kubernetes-models` resolves from the project's node_modules.
  const files = new Map(
    manifests.map(({ manifest }, i) => [
      join(repoRoot, 'test/container', `__manifest_${i}.ts`),
      `import type { I${manifest.kind} } from ${JSON.stringify(modelPath(manifest))};\nexport const manifest: I${manifest.kind} = ${JSON.stringify(manifest, null, 1)};\n`,
    ]),
  );
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, language) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...files.keys()], options, host);
  const names = [...files.keys()];
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const index = d.file ? names.indexOf(d.file.fileName) : -1;
    const where = index >= 0 ? manifests[index]!.where : (d.file?.fileName ?? 'compiler');
    // The message names the field and the Kubernetes type it is not a member of.
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

/** Every problem of the manifests (empty when all conform), each prefixed with kind/name. */
export async function kubernetesProblems(manifests: KubernetesManifest[]): Promise<string[]> {
  const named = manifests.map((manifest) => ({ manifest, where: `${manifest?.kind}/${manifest?.metadata?.name}` }));
  const problems: string[] = [];
  for (const { manifest, where } of named) problems.push(...(await schemaProblems(manifest, where)));
  problems.push(...unknownFieldProblems(named));
  return problems;
}
