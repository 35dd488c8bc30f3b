import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/config/load.js';
import { envName, optionSpecByKey, optionSpecs } from '../../src/config/schema.js';
import { SCAN_OPERATIONS } from '../../src/aws/operations.js';
import { READER_ROLE_NAME } from '../../src/sim/index.js';
import { actionsIn, readCloudFormation } from './cloudformation.js';
import { makeTempDir, readDockerfile, removeTempDirs, repoRoot } from './image.js';

afterAll(removeTempDirs);

// Parsed manifests and task definitions are walked by path; their shapes are what the tests assert.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const iam = (name: string): string => join(repoRoot, 'templates/iam', name);
const scheduling = (name: string): string => join(repoRoot, 'templates/scheduling', name);
const json = <T = Record<string, unknown>>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

// From the operations the scanner code can call (src/aws/operations.ts, checked against the code by
// test/aws/operations.test.ts); the scanner policy also grants two Organizations reads no version calls.
const READ_ACTIONS = SCAN_OPERATIONS.filter((op) => op.caller === 'reader').map((op) => op.operation).sort();
const ORGANIZATIONS_ACTIONS = [
  ...SCAN_OPERATIONS.filter((op) => op.operation.startsWith('organizations:')).map((op) => op.operation),
  'organizations:ListChildren',
  'organizations:ListTagsForResource',
].sort();
const BUCKET_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 's3:GetObject', 's3:ListBucket', 's3:PutObject'];

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[] | Record<string, unknown>;
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (path: string): Statement[] => json<{ Version: string; Statement: Statement[] }>(path).Statement;
const roleName = (): string => optionSpecByKey.get('roleName')!.schema.parse(undefined) as string;

describe('IAM policy documents', () => {
  it('reader: exactly the KMS reads and EC2 DescribeRegions the scan calls', () => {
    expect(actionsIn(statements(iam('reader-policy.json')))).toEqual(READ_ACTIONS);
  });

  it('scanner: Organizations List/Describe, AssumeRole on the read role only inside the organization, KMS reads for its own account', () => {
    const scanner = statements(iam('scanner-policy.json'));
    expect(actionsIn(scanner)).toEqual([...ORGANIZATIONS_ACTIONS, ...READ_ACTIONS, 'sts:AssumeRole'].sort());
    const assume = scanner.find((s) => s.Action === 'sts:AssumeRole')!;
    expect(assume.Resource).toBe(`arn:aws:iam::*:role/${roleName()}`);
    expect(assume.Condition?.StringEquals?.['aws:ResourceOrgID']).toMatch(/^o-/);
  });

  it('reports bucket: put/get/list under the prefix and the SSE-KMS data key, nothing else', () => {
    expect(actionsIn(statements(iam('reports-bucket-policy.json')))).toEqual(BUCKET_ACTIONS);
  });

  it('remediator: kms:EnableKeyRotation, and the status read that remediate --apply verifies with', () => {
    expect(actionsIn(statements(iam('remediator-policy.json')))).toEqual(['kms:EnableKeyRotation', 'kms:GetKeyRotationStatus']);
  });

  it('no document allows a wildcard action or anything but Allow', () => {
    for (const file of ['reader-policy.json', 'scanner-policy.json', 'reports-bucket-policy.json', 'remediator-policy.json', 'securityhub-publish-policy.json']) {
      for (const statement of statements(iam(file))) {
        expect(statement.Effect, file).toBe('Allow');
        for (const action of actionsIn([statement])) expect(action, file).not.toContain('*');
      }
    }
  });
});

describe('CloudFormation templates', () => {
  it('read role StackSet: parameters, default name shared with the scanner and the simulator, exact policy', () => {
    const template = readCloudFormation(iam('reader-role-stackset.yaml'));
    expect(Object.keys(template.Parameters)).toEqual(expect.arrayContaining(['ScannerPrincipalArn', 'ExternalId', 'RoleName', 'OrganizationId']));
    expect(template.Parameters.RoleName!.Default).toBe(roleName());
    expect(READER_ROLE_NAME).toBe(roleName());
    expect(template.Parameters.OrganizationId!.Default).toBe('');
    expect(template.Parameters.ExternalId!.NoEcho).toBe(true);
    const role = template.Resources.ReaderRole!;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.RoleName).toEqual({ Ref: 'RoleName' });
    expect(actionsIn(role.Properties.Policies)).toEqual(actionsIn(statements(iam('reader-policy.json'))));
  });

  it('read role trusts the scanner principal only, with the ExternalId always and aws:PrincipalOrgID when an organization id is given', () => {
    const template = readCloudFormation(iam('reader-role-stackset.yaml'));
    const trust = (template.Resources.ReaderRole!.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ Effect: 'Allow', Principal: { AWS: { Ref: 'ScannerPrincipalArn' } }, Action: 'sts:AssumeRole' });
    expect(template.Conditions?.HasOrganizationId).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OrganizationId' }, ''] }] });
    expect(trust[0]!.Condition).toEqual({
      'Fn::If': [
        'HasOrganizationId',
        { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' }, 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
        { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
      ],
    });
  });

  it('ExternalId parameter admits what STS admits (2..1224 of [\\w+=,.@:/-])', () => {
    const parameter = readCloudFormation(iam('reader-role-stackset.yaml')).Parameters.ExternalId as unknown as { AllowedPattern: string; MinLength: number; MaxLength: number };
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(['ab', 'org-audit_2026+x=y,z.a@b:c/d'].every((id) => pattern.test(id))).toBe(true);
    expect(['has space', 'semi;colon'].some((id) => pattern.test(id))).toBe(false);
    expect([parameter.MinLength, parameter.MaxLength]).toEqual([2, 1224]);
  });

  it('remediator StackSet: its own role name and ExternalId, exactly the remediator document', () => {
    const template = readCloudFormation(iam('remediator-role-stackset.yaml'));
    expect(template.Parameters.RoleName!.Default).toBe('KmsRotationAuditRemediator');
    const role = template.Resources.RemediatorRole!;
    expect(actionsIn(role.Properties.Policies)).toEqual(actionsIn(statements(iam('remediator-policy.json'))));
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement[0]!;
    expect(JSON.stringify(trust.Condition)).toContain('"sts:ExternalId":{"Ref":"ExternalId"}');
  });

  it('scanner role: the scanner and bucket documents, trusted by IRSA, EKS Pod Identity or ECS tasks', () => {
    const template = readCloudFormation(iam('scanner-role.yaml'));
    const role = template.Resources.ScannerRole!;
    const granted = actionsIn(role.Properties.Policies);
    expect(granted).toEqual([...actionsIn(statements(iam('scanner-policy.json'))), ...BUCKET_ACTIONS, ...actionsIn(statements(iam('securityhub-publish-policy.json')))].sort());
    expect(template.Conditions?.PublishesToSecurityHub).toEqual({ 'Fn::Equals': [{ Ref: 'PublishToSecurityHub' }, 'true'] });
    expect(template.Parameters.Runtime!.AllowedValues).toEqual(['eks-irsa', 'eks-pod-identity', 'ecs-task']);
    const trust = role.Properties.AssumeRolePolicyDocument as { 'Fn::If': [string, { 'Fn::Sub': string }, { 'Fn::If': [string, unknown, unknown] }] };
    const [, irsa, rest] = trust['Fn::If'];
    const irsaDocument = JSON.parse(irsa['Fn::Sub'].replace(/\$\{(\w+)\}/g, 'X-$1')) as { Statement: Statement[] };
    expect(irsaDocument.Statement[0]).toMatchObject({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: 'X-EksOidcProviderArn' },
      Condition: { StringEquals: { 'X-EksOidcIssuer:sub': 'system:serviceaccount:X-ServiceAccountNamespace:X-ServiceAccountName', 'X-EksOidcIssuer:aud': 'sts.amazonaws.com' } },
    });
    const [, podIdentity, ecs] = rest['Fn::If'];
    expect(JSON.stringify(podIdentity)).toContain('pods.eks.amazonaws.com');
    expect(JSON.stringify(ecs)).toContain('ecs-tasks.amazonaws.com');
    expect(JSON.stringify(role.Properties.Policies)).toContain(':role/${ReaderRoleName}');
  });
});

/** Every container in a Kubernetes manifest file, with the pod spec it belongs to. */
function kubernetesContainers(file: string): { kind: string; name: string; pod: Manifest; container: Manifest }[] {
  const found: { kind: string; name: string; pod: Manifest; container: Manifest }[] = [];
  for (const doc of parseAllDocuments(readFileSync(scheduling(file), 'utf8'))) {
    const manifest = doc.toJS() as Manifest;
    if (manifest.kind !== 'CronJob') continue;
    const pod = manifest.spec.jobTemplate.spec.template.spec as Manifest;
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) found.push({ kind: manifest.kind, name: manifest.metadata.name, pod, container });
  }
  return found;
}

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(scheduling(file), 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

const IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/kms-rotation-audit:\d+\.\d+\.\d+$/;
const imageUid = (): number => Number(readDockerfile().user.split(':')[0]);

describe('Kubernetes', () => {
  it('CronJob: IRSA service account, the image with `scan`, non-root, read-only root, writable /reports and /tmp', () => {
    const docs = manifests('kubernetes/cronjob.yaml');
    const serviceAccount = docs.find((d) => d.kind === 'ServiceAccount')!;
    expect(serviceAccount.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/KmsRotationAuditScanner$/);
    const cronJob = docs.find((d) => d.kind === 'CronJob')!;
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    const [entry] = kubernetesContainers('kubernetes/cronjob.yaml');
    expect(entry!.pod.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(entry!.container.image).toMatch(IMAGE);
    expect(entry!.container.args).toEqual(['scan']);
    expect(entry!.pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid() });
    expect(entry!.container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const mounts = Object.fromEntries((entry!.container.volumeMounts as { mountPath: string; readOnly?: boolean }[]).map((m) => [m.mountPath, m.readOnly ?? false]));
    expect(mounts).toEqual({ '/config': true, '/reports': false, '/tmp': false });
    const env = Object.fromEntries((entry!.container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    expect(env.KMS_ROTATION_AUDIT_CONFIG).toBe('/config/kms-rotation-audit.yaml');
    expect(podFailureExitCodes(cronJob)).toEqual([1, 64]);
  });

  it('CronJob: the ConfigMap holds a config file the scanner accepts', async () => {
    const configMap = manifests('kubernetes/cronjob.yaml').find((d) => d.kind === 'ConfigMap')!;
    const file = join(makeTempDir('kra-config-'), 'kms-rotation-audit.yaml');
    writeFileSync(file, configMap.data['kms-rotation-audit.yaml']);
    await expect(readConfigFile(file)).resolves.toMatchObject({ roleName: roleName() });
  });

  it('sharded: an Indexed Job of N shards that upload parts under one scan id, then a merge of exactly those parts', () => {
    const docs = manifests('kubernetes/sharded-cronjob.yaml');
    const cronJobs = docs.filter((d) => d.kind === 'CronJob');
    const shards = cronJobs.find((c) => c.spec.suspend === true)!;
    const coordinator = cronJobs.find((c) => c.spec.suspend !== true)!;
    const job = shards.spec.jobTemplate.spec;
    expect(job.completionMode).toBe('Indexed');
    const shard = job.template.spec.containers[0];
    const args = shard.args as string[];
    const after = (flag: string): string => args[args.indexOf(flag) + 1]!;
    expect(args[0]).toBe('scan');
    expect(Number(after('--shard-count'))).toBe(job.completions);
    expect(job.parallelism).toBe(job.completions);
    expect(after('--scan-id')).toBe('$(SCAN_ID)');
    expect(after('--fail-on')).toBe('never');
    const scanIdEnv = (shard.env as { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]).find((e) => e.name === 'SCAN_ID');
    expect(scanIdEnv?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['batch.kubernetes.io/job-name']");

    const pod = coordinator.spec.jobTemplate.spec.template.spec;
    const [launch, wait] = pod.initContainers as { args: string[] }[];
    expect(launch!.args).toEqual(['create', 'job', '$(RUN_NAME)-shards', `--from=cronjob/${shards.metadata.name}`]);
    expect(wait!.args).toEqual(expect.arrayContaining(['wait', '--for=condition=Complete', 'job/$(RUN_NAME)-shards']));
    const merge = pod.containers[0];
    expect(merge.args.slice(0, 2)).toEqual(['merge', '--from']);
    // The shard Job is named $(RUN_NAME)-shards, which is each shard's SCAN_ID.
    expect(merge.args[2]).toBe(after('--upload').replace('$(SCAN_ID)', '$(RUN_NAME)-shards'));
    for (const entry of kubernetesContainers('kubernetes/sharded-cronjob.yaml')) {
      expect(entry.pod.securityContext, entry.container.name).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid() });
      expect(entry.container.securityContext, entry.container.name).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      if (entry.container.name !== 'launch-shards' && entry.container.name !== 'wait-for-shards') expect(entry.container.image).toMatch(IMAGE);
    }
  });

  it('sharded: the coordinator may create and watch Jobs and read the template CronJob, nothing more', () => {
    const docs = manifests('kubernetes/sharded-cronjob.yaml');
    const role = docs.find((d) => d.kind === 'Role')!;
    expect(role.rules).toEqual([
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch'] },
    ]);
    const binding = docs.find((d) => d.kind === 'RoleBinding')!;
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kms-rotation-audit', namespace: 'kms-rotation-audit' }]);
  });
});

function podFailureExitCodes(cronJob: Manifest): number[] {
  return cronJob.spec.jobTemplate.spec.podFailurePolicy.rules.flatMap((r: { onExitCodes: { values: number[] } }) => r.onExitCodes.values);
}

/** Environment variable names the scanner reads: its options' KMS_ROTATION_AUDIT_* names. */
function assertKnownToolVariables(names: string[]): void {
  const known = new Set([...optionSpecs.map((s) => envName(s.key)), 'KMS_ROTATION_AUDIT_CONFIG']);
  for (const name of names.filter((n) => n.startsWith('KMS_ROTATION_AUDIT_'))) expect(known, name).toContain(name);
}

describe('ECS scheduled task', () => {
  it('task definition: the image with `scan`, non-root, read-only root, writable /reports and /tmp, awslogs', () => {
    const task = json<Manifest>(scheduling('ecs/task-definition.json'));
    const [container] = task.containerDefinitions;
    expect(container.image).toMatch(IMAGE);
    expect(container.command).toEqual(['scan']);
    expect(container.user).toBe(readDockerfile().user);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.mountPoints.map((m: { containerPath: string }) => m.containerPath).sort()).toEqual(['/reports', '/tmp']);
    expect(container.logConfiguration.logDriver).toBe('awslogs');
    expect(task.taskRoleArn).toMatch(/:role\/KmsRotationAuditScanner$/);
    assertKnownToolVariables([...container.environment, ...container.secrets].map((e: { name: string }) => e.name));
  });

  it('EventBridge Scheduler runs that task definition nightly on Fargate', () => {
    const schedule = json<Manifest>(scheduling('ecs/schedule.json'));
    const task = json<Manifest>(scheduling('ecs/task-definition.json'));
    expect(schedule.ScheduleExpression).toMatch(/^cron\(/);
    expect(schedule.Target.EcsParameters.TaskDefinitionArn).toMatch(new RegExp(`:task-definition/${task.family}$`));
    expect(schedule.Target.EcsParameters.LaunchType).toBe('FARGATE');
    const policy = json<{ Statement: Statement[] }>(scheduling('ecs/scheduler-policy.json'));
    expect(actionsIn(policy.Statement)).toEqual(['ecs:RunTask', 'iam:PassRole']);
  });
});

describe('AWS Batch', () => {
  const shard = json<Manifest>(scheduling('aws-batch/shard-job-definition.json'));
  const merge = json<Manifest>(scheduling('aws-batch/merge-job-definition.json'));

  it('shard job: scan --shard-count with every Ref:: parameter declared, --fail-on never, hardened like the image', () => {
    const command = shard.containerProperties.command as string[];
    expect(command[0]).toBe('scan');
    expect(command[command.indexOf('--shard-count') + 1]).toBe('Ref::shardCount');
    expect(command[command.indexOf('--fail-on') + 1]).toBe('never');
    for (const definition of [shard, merge]) {
      const refs = (definition.containerProperties.command as string[]).filter((c) => c.startsWith('Ref::')).map((c) => c.slice(5));
      expect(Object.keys(definition.parameters).sort()).toEqual([...new Set(refs)].sort());
      expect(definition.containerProperties.image).toMatch(IMAGE);
      expect(definition.containerProperties.readonlyRootFilesystem).toBe(true);
      expect(definition.containerProperties.user).toBe(readDockerfile().user);
      assertKnownToolVariables(definition.containerProperties.environment.map((e: { name: string }) => e.name));
    }
  });

  it('merge job: merge --from the parts prefix the shards upload to', () => {
    expect(merge.containerProperties.command.slice(0, 3)).toEqual(['merge', '--from', 'Ref::partsPrefix']);
    const shardCommand = shard.containerProperties.command as string[];
    expect(shardCommand[shardCommand.indexOf('--upload') + 1]).toBe('Ref::partsPrefix');
  });

  it('submit script: an array job of N, then the merge depending on it, sharing one parts prefix', () => {
    const script = readFileSync(scheduling('aws-batch/submit-nightly.sh'), 'utf8');
    execFileSync('bash', ['-n', scheduling('aws-batch/submit-nightly.sh')]);
    expect(script).toContain('--array-properties "size=$shards"');
    expect(script).toContain('shardCount=$shards');
    expect(script).toContain('--depends-on "jobId=$array_job_id"');
    expect(script.match(/partsPrefix=\$parts/g)).toHaveLength(2);
  });

  it('state machine: the array job (.sync) and then the merge, with the same parts prefix', () => {
    const machine = json<Manifest>(scheduling('aws-batch/state-machine.asl.json'));
    const shards = machine.States[machine.StartAt];
    expect(shards.Resource).toBe('arn:aws:states:::batch:submitJob.sync');
    expect(shards.Parameters.JobDefinition).toBe(shard.jobDefinitionName);
    expect(String(shards.Parameters.ArrayProperties.Size)).toBe(shards.Parameters.Parameters.shardCount);
    const next = machine.States[shards.Next];
    expect(next.Parameters.JobDefinition).toBe(merge.jobDefinitionName);
    expect(next.Parameters.Parameters['partsPrefix.$']).toBe(shards.Parameters.Parameters['partsPrefix.$']);
  });
});

describe('host cron', () => {
  it('one /etc/cron.d line: docker run of the image with `scan`, read-only, non-root, reports volume, no bare %', () => {
    const lines = readFileSync(scheduling('cron/kms-rotation-audit.cron'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(lines).toHaveLength(1);
    const fields = lines[0]!.split(/\s+/);
    expect(fields.slice(0, 5)).toEqual(['0', '2', '*', '*', '*']);
    const command = fields.slice(6).join(' ');
    expect(command).not.toContain('%');
    expect(command).toMatch(/docker run --rm /);
    for (const option of ['--read-only', '--tmpfs /tmp', `--user ${readDockerfile().user}`, '--cap-drop ALL', ':/reports ', ':/config/kms-rotation-audit.yaml:ro']) expect(command).toContain(option);
    const image = fields.find((f) => IMAGE.test(f));
    expect(image).toBeDefined();
    expect(fields[fields.indexOf(image!) + 1]).toBe('scan');
  });
});

describe('every template runs the same image', () => {
  it('one image reference across Kubernetes, ECS, AWS Batch and cron', () => {
    const texts = ['kubernetes/cronjob.yaml', 'kubernetes/sharded-cronjob.yaml', 'ecs/task-definition.json', 'aws-batch/shard-job-definition.json', 'aws-batch/merge-job-definition.json', 'cron/kms-rotation-audit.cron'].map((f) =>
      readFileSync(scheduling(f), 'utf8'),
    );
    const images = new Set(texts.flatMap((t) => [...t.matchAll(/\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/kms-rotation-audit:[\w.-]+/g)].map((m) => m[0])));
    expect(images.size).toBe(1);
  });
});

describe('templates/config/example.yaml', () => {
  const text = readFileSync(join(repoRoot, 'templates/config/example.yaml'), 'utf8');
  const commented = /^# ([a-z][A-Za-z0-9]*): (.*)$/;

  it('is accepted by the scanner as written', async () => {
    await expect(readConfigFile(join(repoRoot, 'templates/config/example.yaml'))).resolves.toMatchObject({ roleName: roleName() });
  });

  it('is still accepted with every commented-out option switched on (each documented value is valid)', async () => {
    const enabled = text
      .split('\n')
      .map((line) => line.replace(commented, '$1: $2'))
      .join('\n');
    const file = join(makeTempDir('kra-config-'), 'all.yaml');
    writeFileSync(file, enabled);
    const config = await readConfigFile(file);
    expect(Object.keys(config).length).toBeGreaterThan(20);
  });

  it('documents every option of the schema', () => {
    const documented = text.split('\n').flatMap((line) => {
      const match = /^(?:# )?([a-z][A-Za-z0-9]*):/.exec(line);
      return match ? [match[1]!] : [];
    });
    expect(documented.sort()).toEqual(optionSpecs.map((s) => s.key).sort());
  });
});

describe('scripts/node22.sh', () => {
  it('is valid bash', () => {
    execFileSync('bash', ['-n', join(repoRoot, 'scripts/node22.sh')]);
  });
});
