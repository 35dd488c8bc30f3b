/**
 * Every scheduling template against its engine's own schema, and each schema check shown to fail
 * on a broken copy:
 * - Kubernetes manifests: kubernetes-models (validators generated from Kubernetes' OpenAPI
 *   definitions: types, required fields, enums, formats) plus unknown fields, which the API
 *   server refuses under strict field validation (kubectl's default since 1.27) but the OpenAPI
 *   definitions do not close: the manifest is type-checked as an object literal of the model's
 *   TypeScript interface, generated from the same definitions (./kubernetes-schema.ts).
 * - ECS task definition, AWS Batch job definitions, EventBridge Scheduler schedule: the input
 *   shapes of RegisterTaskDefinition, RegisterJobDefinition and CreateSchedule in AWS's botocore
 *   models (test/fixtures/aws-models/), what `aws … --cli-input-json file://…` sends.
 * - Step Functions state machine: asl-validator (the Amazon States Language JSON schemas), and
 *   the Parameters of its `batch:submitJob.sync` tasks against Batch's SubmitJob input.
 * - Every KMS_ROTATION_AUDIT_* variable a template sets is an option of the config schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envName, optionSpecs } from '../../src/config/schema.js';
import { loadModel, validateShape, type ServiceModel } from '../helpers/aws-model.js';
import { repoRoot } from './image.js';
import { kubernetesProblems, type KubernetesManifest } from './kubernetes-schema.js';

// Templates are plain data walked by path; the schemas below decide their shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const scheduling = (name: string): string => join(repoRoot, 'templates/scheduling', name);
const readJson = (name: string): Json => JSON.parse(readFileSync(scheduling(name), 'utf8')) as Json;
const copy = <T>(value: T): T => structuredClone(value);

function kubernetesManifests(name: string): KubernetesManifest[] {
  return parseAllDocuments(readFileSync(scheduling(name), 'utf8')).map((doc) => {
    expect(doc.errors, name).toEqual([]);
    return doc.toJS() as KubernetesManifest;
  });
}

const KUBERNETES_FILES = ['kubernetes/cronjob.yaml', 'kubernetes/sharded-cronjob.yaml'];

describe('Kubernetes manifests against the Kubernetes API schemas (kubernetes-models)', () => {
  it.each(KUBERNETES_FILES)('%s: every document validates, with no unknown field', async (file) => {
    const manifests = kubernetesManifests(file);
    expect(manifests.length).toBeGreaterThan(1);
    expect(await kubernetesProblems(manifests)).toEqual([]);
  });

  it('a broken CronJob fails: misspelt field, wrong type, bad enum value, missing required field', async () => {
    const cronJob = kubernetesManifests('kubernetes/cronjob.yaml').find((m) => m.kind === 'CronJob')!;
    const misspelt = copy(cronJob);
    misspelt.spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFS = true;
    const wrongType = copy(cronJob);
    wrongType.spec.jobTemplate.spec.template.spec.securityContext.runAsUser = '10001';
    const badEnum = copy(cronJob);
    badEnum.spec.concurrencyPolicy = 'Never';
    const noImage = copy(cronJob);
    delete noImage.spec.jobTemplate.spec.template.spec.containers[0].name;
    const problems = await Promise.all([misspelt, wrongType, badEnum, noImage].map((m) => kubernetesProblems([m])));
    expect(problems[0]!.join('\n')).toMatch(/readOnlyRootFS/);
    expect(problems[1]!.join('\n')).toMatch(/runAsUser/);
    expect(problems[2]!.join('\n')).toMatch(/concurrencyPolicy|allowed values|Never/);
    expect(problems[3]!.join('\n')).toMatch(/name/);
  });

  it('a misspelt field of another kind fails too (RBAC Role: verb for verbs)', async () => {
    const role = kubernetesManifests('kubernetes/sharded-cronjob.yaml').find((m) => m.kind === 'Role')!;
    const broken = copy(role);
    broken.rules[0].verb = ['get'];
    expect((await kubernetesProblems([broken])).join('\n')).toMatch(/verb/);
  });
});

const ecs = (): ServiceModel => loadModel('ecs-2014-11-13.json.gz');
const batch = (): ServiceModel => loadModel('batch-2016-08-10.json.gz');
const scheduler = (): ServiceModel => loadModel('scheduler-2021-06-30.json.gz');
const inputShape = (model: ServiceModel, operation: string): string => model.operations[operation]!.input!.shape;

describe('ECS, AWS Batch and EventBridge Scheduler templates against the AWS API models', () => {
  const cases: [file: string, model: () => ServiceModel, operation: string][] = [
    ['ecs/task-definition.json', ecs, 'RegisterTaskDefinition'],
    ['aws-batch/shard-job-definition.json', batch, 'RegisterJobDefinition'],
    ['aws-batch/merge-job-definition.json', batch, 'RegisterJobDefinition'],
    ['ecs/schedule.json', scheduler, 'CreateSchedule'],
  ];

  it.each(cases)('%s is a valid %s input', (file, model, operation) => {
    const m = model();
    expect(validateShape(m, inputShape(m, operation), readJson(file), file)).toEqual([]);
  });

  it('a broken task definition fails: unknown member, wrong type, bad enum value, missing required member', () => {
    const m = ecs();
    const shape = inputShape(m, 'RegisterTaskDefinition');
    const task = readJson('ecs/task-definition.json');
    const unknown = copy(task);
    unknown.containerDefinitions[0].readOnlyRootFilesystem = true; // the member is readonlyRootFilesystem
    const wrongType = copy(task);
    wrongType.containerDefinitions[0].stopTimeout = '30';
    const badEnum = copy(task);
    badEnum.requiresCompatibilities = ['LAMBDA'];
    const noFamily = copy(task);
    delete noFamily.family;
    expect(validateShape(m, shape, unknown)).toEqual([expect.stringMatching(/containerDefinitions\[0\]\.readOnlyRootFilesystem: not a member/)]);
    expect(validateShape(m, shape, wrongType)).toEqual([expect.stringMatching(/stopTimeout: expected an integer/)]);
    expect(validateShape(m, shape, badEnum)).toEqual([expect.stringMatching(/"LAMBDA" is not one of/)]);
    expect(validateShape(m, shape, noFamily)).toEqual([expect.stringMatching(/\.family: required member missing/)]);
  });

  it('a broken job definition and a broken schedule fail', () => {
    const b = batch();
    const job = readJson('aws-batch/shard-job-definition.json');
    job.retryStrategy.attempts = 'three';
    job.type = 'lambda';
    expect(validateShape(b, inputShape(b, 'RegisterJobDefinition'), job)).toEqual([expect.stringMatching(/type: "lambda" is not one of/), expect.stringMatching(/retryStrategy\.attempts: expected an integer/)]);
    const s = scheduler();
    const schedule = readJson('ecs/schedule.json');
    schedule.Target.EcsParameters.LaunchType = 'SPOT';
    delete schedule.FlexibleTimeWindow;
    expect(validateShape(s, inputShape(s, 'CreateSchedule'), schedule)).toEqual([expect.stringMatching(/FlexibleTimeWindow: required member missing/), expect.stringMatching(/LaunchType: "SPOT" is not one of/)]);
  });
});

/** A state machine's Task Parameters in API form: PascalCase names, JSONPath (`.$`) values unknown until run time. */
const DYNAMIC = Symbol('set at run time');

/**
 * Step Functions' optimized integrations take the API's request members with the first letter
 * upper-cased (https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html), and a
 * key ending in `.$` takes its value from a path or intrinsic function at run time
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html).
 * Map keys (the job's own `parameters`) are the user's and keep their case.
 */
function toApiForm(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName]!;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toApiForm(model, shape.member!.shape, item));
  const out: Record<string, unknown> = {};
  for (const [rawKey, item] of Object.entries(value)) {
    const dynamic = rawKey.endsWith('.$');
    const key = dynamic ? rawKey.slice(0, -2) : rawKey;
    if (shape.type === 'map') out[key] = dynamic ? DYNAMIC : toApiForm(model, shape.value!.shape, item);
    else {
      const member = Object.keys(shape.members ?? {}).find((name) => name.charAt(0).toUpperCase() + name.slice(1) === key);
      const name = member ?? key; // an unknown name stays as written, and is reported
      out[name] = dynamic ? DYNAMIC : member ? toApiForm(model, shape.members![member]!.shape, item) : item;
    }
  }
  return out;
}

function stateMachineProblems(machine: Json): string[] {
  const { isValid, errorsText } = aslValidator(machine);
  const problems = isValid ? [] : [`ASL: ${errorsText('\n')}`];
  const b = batch();
  for (const [name, state] of Object.entries(machine.States as Record<string, Json>)) {
    if (state.Type !== 'Task' || !String(state.Resource).startsWith('arn:aws:states:::batch:submitJob')) continue;
    const request = toApiForm(b, inputShape(b, 'SubmitJob'), state.Parameters);
    problems.push(...validateShape(b, inputShape(b, 'SubmitJob'), request, `States.${name}.Parameters`, { isDynamic: (v) => v === DYNAMIC }));
  }
  return problems;
}

describe('Step Functions state machine', () => {
  it('aws-batch/state-machine.asl.json is valid Amazon States Language, and each Batch task a valid SubmitJob request', () => {
    const machine = readJson('aws-batch/state-machine.asl.json');
    expect(Object.values(machine.States as Record<string, Json>).filter((s) => String(s.Resource).includes('batch:submitJob'))).toHaveLength(2);
    expect(stateMachineProblems(machine)).toEqual([]);
  });

  it('a broken state machine fails: a Next to no state, a misspelt SubmitJob member, a wrong type', () => {
    const machine = readJson('aws-batch/state-machine.asl.json');
    const badNext = copy(machine);
    badNext.States.Shards.Next = 'Merged';
    expect(stateMachineProblems(badNext).join('\n')).toMatch(/ASL:/);
    const badParameters = copy(machine);
    badParameters.States.Shards.Parameters.JobQueues = badParameters.States.Shards.Parameters.JobQueue;
    delete badParameters.States.Shards.Parameters.JobQueue;
    badParameters.States.Merge.Parameters.ArrayProperties = { Size: '8' };
    expect(stateMachineProblems(badParameters)).toEqual([
      'States.Shards.Parameters.jobQueue: required member missing',
      'States.Shards.Parameters.JobQueues: not a member of SubmitJobRequest',
      'States.Merge.Parameters.arrayProperties.size: expected an integer',
    ]);
  });
});

describe('KMS_ROTATION_AUDIT_* variables of every template are options of the config schema', () => {
  const known = new Set([...optionSpecs.map((s) => envName(s.key)), 'KMS_ROTATION_AUDIT_CONFIG']);
  /** Every KMS_ROTATION_AUDIT_* name in the text (set, referenced or only mentioned in a comment) that the scanner does not read. */
  const unknownVariables = (text: string): string[] => [...new Set(text.match(/KMS_ROTATION_AUDIT_[A-Z0-9_]+/g) ?? [])].filter((name) => !known.has(name));
  const FILES = [...KUBERNETES_FILES, 'ecs/task-definition.json', 'aws-batch/shard-job-definition.json', 'aws-batch/merge-job-definition.json', 'aws-batch/submit-nightly.sh', 'cron/kms-rotation-audit.cron', 'README.md'];

  it.each(FILES)('%s', (file) => {
    expect(unknownVariables(readFileSync(scheduling(file), 'utf8'))).toEqual([]);
  });

  it('the templates pass variables at all, and a misspelt one fails', () => {
    const task = readFileSync(scheduling('ecs/task-definition.json'), 'utf8');
    expect(task).toContain('"KMS_ROTATION_AUDIT_ROLE_NAME"');
    expect(unknownVariables(task.replace('KMS_ROTATION_AUDIT_ROLE_NAME', 'KMS_ROTATION_AUDIT_ROLENAME'))).toEqual(['KMS_ROTATION_AUDIT_ROLENAME']);
  });
});
