import { AwsError } from '../protocols/aws-error.js';
import { el } from '../protocols/query.js';
import type { CallContext } from './context.js';

type Handler = (ctx: CallContext, input: URLSearchParams) => string;

const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]+\/)?)([\w+=,.@-]{1,64})$/;
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

function accessDenied(ctx: CallContext, roleArn: string): AwsError {
  return new AwsError('AccessDenied', `User: ${ctx.identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
}

/** States in which nobody can sign in to an account (suspended or closing accounts). */
const CLOSED_STATES = new Set(['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']);

const assumeRole: Handler = (ctx, input) => {
  const roleArn = input.get('RoleArn') ?? '';
  const sessionName = input.get('RoleSessionName') ?? '';
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) throw validation(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN`);
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and match [\\w+=,.@-]*`);
  }
  const durationRaw = input.get('DurationSeconds');
  const duration = durationRaw === null ? 3600 : Number(durationRaw);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation(`1 validation error detected: Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  const externalId = input.get('ExternalId');
  if (externalId !== null && !EXTERNAL_ID_RE.test(externalId)) {
    throw validation(`1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224 and match [\\w+=,.@:/-]*`);
  }
  const [, targetId, path, name] = m as unknown as [string, string, string, string];
  const index = ctx.runtime.index;
  const target = index.accounts.get(targetId);
  const role = target && !CLOSED_STATES.has(target.state) ? index.role(targetId, path, name) : undefined;
  if (!role) throw accessDenied(ctx, roleArn);
  if (role.trustedAccounts && !role.trustedAccounts.includes(ctx.account.id)) throw accessDenied(ctx, roleArn);
  if (role.externalId !== undefined && role.externalId !== externalId) throw accessDenied(ctx, roleArn);
  // Role chaining caps the session at one hour (IAM user guide, "Role chaining").
  if (ctx.identity.role && duration > 3600) throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  if (duration > (role.maxSessionSeconds ?? 3600)) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const cap = ctx.runtime.options.maxCredentialLifetimeSeconds;
  const lifetime = cap === undefined ? duration : Math.min(duration, cap);
  const session = ctx.runtime.credentials.issueSession(targetId, role, sessionName, ctx.now + lifetime * 1000);
  return (
    `<Credentials>${el('AccessKeyId', session.accessKeyId)}${el('SecretAccessKey', session.secretAccessKey)}${el('SessionToken', session.sessionToken)}` +
    `${el('Expiration', new Date(session.expiresAt!).toISOString())}</Credentials>` +
    `<AssumedRoleUser>${el('AssumedRoleId', session.userId)}${el('Arn', session.arn)}</AssumedRoleUser>`
  );
};

const getCallerIdentity: Handler = (ctx) => `${el('Arn', ctx.identity.arn)}${el('UserId', ctx.identity.userId)}${el('Account', ctx.account.id)}`;

export const STS_OPERATIONS: Record<string, Handler> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
