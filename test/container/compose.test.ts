import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { composeService, givenEnvironment, readCompose, readDockerfile, repoRoot } from './image.js';

/** The Compose Specification's JSON schema (vendored: fixtures/compose-spec/SOURCE.md). */
function composeValidator() {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'test/container/fixtures/compose-spec/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // The file declares draft 2019-09 under its old http://…# meta-schema URI, which Ajv knows as
  // https://json-schema.org/draft/2019-09/schema; the validator below is the 2019-09 one.
  expect(schema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  delete schema.$schema;
  // Its string-valued "id" members are draft-04 leftovers naming each subschema by its own JSON
  // pointer ("#/definitions/service"), which moves no $ref base; Ajv 8 refuses the keyword.
  dropStringIds(schema);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // Formats, per the specification's prose: durations are Go durations ("2s", "1m30s").
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  return ajv.compile(schema);
}

function dropStringIds(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropStringIds);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropStringIds);
  }
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification JSON schema', () => {
    const validate = composeValidator();
    const ok = validate(readCompose());
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check catches a mistake (a misspelt service key)', () => {
    const validate = composeValidator();
    const broken = readCompose();
    (broken.services.scan as Record<string, unknown>).readonly = true;
    expect(validate(broken)).toBe(false);
  });

  it('scan: config mounted read-only where KMS_ROTATION_AUDIT_CONFIG points, reports at /reports, hardened, non-root', () => {
    const scan = composeService('scan');
    const image = readDockerfile();
    const configPath = scan.environment?.KMS_ROTATION_AUDIT_CONFIG;
    const configMount = scan.volumes?.find((v) => v.target === configPath);
    expect(configMount?.read_only).toBe(true);
    expect(scan.volumes?.find((v) => v.target === image.env.KMS_ROTATION_AUDIT_REPORTS_ROOT)?.source).toBe('./reports');
    expect(scan.volumes?.find((v) => v.target === `${image.env.HOME}/.aws`)?.read_only).toBe(true);
    expect(scan.read_only).toBe(true);
    expect(scan.tmpfs).toEqual(['/tmp']);
    expect(scan.user).toBe('${AUDIT_UID:-10001}:${AUDIT_GID:-10001}');
    expect(image.user).toBe('10001:10001');
  });

  it('scan: AWS credentials are passed through by name only, never given a value', () => {
    const environment = composeService('scan').environment ?? {};
    const aws = Object.entries(environment).filter(([name]) => name.startsWith('AWS_') || /SECRET|TOKEN|EXTERNAL_ID/.test(name));
    expect(aws.map(([name]) => name)).toEqual(expect.arrayContaining(['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']));
    for (const [name, value] of aws) expect(value, name).toBeNull();
  });

  it('scan is not started by the demo profile', () => {
    expect(composeService('scan').profiles).toEqual(['scan']);
    expect(composeService('sim').profiles).toEqual(['demo']);
    expect(composeService('demo-scan').profiles).toEqual(['demo']);
  });

  it('demo: demo-scan waits for a healthy sim and reaches it at the port and credentials sim is started with', () => {
    const sim = composeService('sim');
    const demo = composeService('demo-scan');
    const arg = (flag: string): string | undefined => sim.command?.[sim.command.indexOf(flag) + 1];
    expect(sim.command?.[0]).toBe('sim');
    expect(arg('--host')).toBe('0.0.0.0');
    expect(demo.depends_on).toEqual({ sim: { condition: 'service_healthy' } });
    const env = givenEnvironment(demo);
    expect(env.AWS_ENDPOINT_URL).toBe(`http://sim:${arg('--port')}`);
    expect(env.AWS_ACCESS_KEY_ID).toBe(arg('--access-key-id'));
    expect(env.AWS_SECRET_ACCESS_KEY).toBe(arg('--secret-access-key'));
    expect(env.AWS_REGION).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    // The demo runs the image's default command, the one a real nightly job runs.
    expect(demo.command).toBeUndefined();
    expect(sim.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${arg('--port')}/`);
  });

  it('demo: runs with no variables set: demo-scan writes as the image user to a named volume at the reports root, which the image lets that user own', () => {
    const demo = composeService('demo-scan');
    const image = readDockerfile();
    expect(demo.user).toBe(image.user);
    const reports = demo.volumes?.find((v) => v.target === image.env.KMS_ROTATION_AUDIT_REPORTS_ROOT);
    expect(reports).toEqual({ type: 'volume', source: 'demo-reports', target: '/reports' });
    expect(Object.keys(readCompose().volumes ?? {})).toEqual(['demo-reports']);
    // A new named volume starts as a copy of the image folder it is mounted on, owner included.
    const [uid, gid] = image.user.split(':');
    expect(image.stages.find((s) => s.name === 'rootfs')!.instructions.map((i) => i.getArgumentsContent() ?? '').join('\n')).toContain(`chown ${uid}:${gid} /reports`);
    // The sim service writes nothing and mounts nothing (the image has no VOLUME: no anonymous volume either).
    expect(composeService('sim').volumes).toBeUndefined();
    expect(image.volumes).toEqual([]);
  });

  it('documents how the demo reports come out of their volume and the Compose v2 profiles', () => {
    const text = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    expect(text).toContain('docker compose --profile demo up --build --exit-code-from demo-scan');
    expect(text).toContain('docker compose cp demo-scan:/reports/. reports/demo/');
    expect(text).not.toMatch(/AUDIT_UID=\S+ AUDIT_GID=\S+ docker compose --profile demo/);
    for (const doc of ['README.md', 'docs/deploy.md']) {
      const guide = readFileSync(join(repoRoot, doc), 'utf8');
      expect(guide, doc).toContain('docker compose --profile demo up --build --exit-code-from demo-scan');
      expect(guide, doc).toContain('docker compose cp demo-scan:/reports/. reports/demo/');
    }
  });

  it('every service builds the same image from this Dockerfile and keeps the root filesystem read-only', () => {
    for (const [name, service] of Object.entries(readCompose().services)) {
      expect(service.build, name).toBe('.');
      expect(service.image, name).toBe('kms-rotation-audit:local');
      expect(service.read_only, name).toBe(true);
      expect(service.tmpfs, name).toEqual(['/tmp']);
    }
  });
});
