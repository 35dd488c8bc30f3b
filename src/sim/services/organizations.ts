import { AwsError } from '../protocols/aws-error.js';
import { epochSeconds } from '../protocols/json.js';
import type { ScenarioIndex } from '../state.js';
import type { SimAccount, SimOu } from '../types.js';
import type { CallContext } from './context.js';
import { decodeToken, encodeToken, stringParam } from './paging.js';

type Input = Record<string, unknown>;
type Handler = (ctx: CallContext, input: Input) => unknown;

const DEFAULT_JOINED = '2020-01-01T00:00:00Z';

function invalidInput(reason: string, message: string): AwsError {
  return new AwsError('InvalidInputException', message, 400, { Reason: reason });
}

/**
 * Organizations pages hold at most 20 items, and AWS may answer a page that is empty while a
 * NextToken remains (API reference, "Pagination"): every third page is empty here, so callers that
 * stop at the first empty page lose accounts.
 */
function paginate<T>(ctx: CallContext, items: readonly T[], input: Input, listKey: string): { items: T[]; next?: string } {
  const max = input.MaxResults;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)) {
    throw invalidInput(typeof max === 'number' && max > 20 ? 'MAX_VALUE_EXCEEDED' : 'MIN_VALUE_EXCEEDED', 'You provided a value that is outside the allowed range: MaxResults must be between 1 and 20.');
  }
  const limit = typeof max === 'number' ? max : 20;
  const raw = stringParam(input.NextToken);
  const badToken = (): AwsError => invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.');
  let offset = 0;
  let pageNo = 0;
  if (raw !== undefined) {
    const t = decodeToken<{ q?: unknown; o?: unknown; p?: unknown }>(raw, badToken);
    if (t.q !== `${ctx.operation}|${listKey}` || typeof t.o !== 'number' || typeof t.p !== 'number' || t.o < 0 || t.o > items.length) throw badToken();
    offset = t.o;
    pageNo = t.p;
  }
  const token = (o: number): string => encodeToken({ q: `${ctx.operation}|${listKey}`, o, p: pageNo + 1 });
  if (pageNo % 3 === 2 && offset < items.length) return { items: [], next: token(offset) };
  const end = Math.min(items.length, offset + limit);
  return end < items.length ? { items: items.slice(offset, end), next: token(end) } : { items: items.slice(offset, end) };
}

function accountArn(ctx: CallContext, accountId: string): string {
  const s = ctx.runtime.index.scenario;
  return `arn:aws:organizations::${s.managementAccountId}:account/${s.organizationId}/${accountId}`;
}

function accountObject(ctx: CallContext, a: SimAccount): Record<string, unknown> {
  const index = ctx.runtime.index;
  return {
    Id: a.id,
    Arn: accountArn(ctx, a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status,
    State: a.omitState || !a.state ? undefined : a.state,
    Paths: index.scenario.withPaths ? [`${index.pathOf(a.parentId)}${a.id}/`] : undefined,
    JoinedMethod: a.joinedMethod ?? 'CREATED',
    JoinedTimestamp: epochSeconds(a.joinedTimestamp ?? DEFAULT_JOINED),
  };
}

function ouObject(ctx: CallContext, ou: SimOu): Record<string, unknown> {
  const s = ctx.runtime.index.scenario;
  return {
    Id: ou.id,
    Arn: `arn:aws:organizations::${s.managementAccountId}:ou/${s.organizationId}/${ou.id}`,
    Name: ou.name,
    Path: s.withPaths ? `${ctx.runtime.index.pathOf(ou.parentId)}${ou.id}/` : undefined,
  };
}

function childrenOf(index: ScenarioIndex, parentId: unknown): { ous: SimOu[]; accounts: SimAccount[] } {
  const children = typeof parentId === 'string' ? index.children.get(parentId) : undefined;
  if (!children) throw new AwsError('ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.');
  return children;
}

function pageOutput(listName: string, items: unknown[], next: string | undefined): Record<string, unknown> {
  return { [listName]: items, NextToken: next };
}

const describeOrganization: Handler = (ctx) => {
  const s = ctx.runtime.index.scenario;
  const management = ctx.runtime.index.accounts.get(s.managementAccountId);
  return {
    Organization: {
      Id: s.organizationId,
      Arn: `arn:aws:organizations::${s.managementAccountId}:organization/${s.organizationId}`,
      FeatureSet: 'ALL',
      MasterAccountArn: accountArn(ctx, s.managementAccountId),
      MasterAccountId: s.managementAccountId,
      MasterAccountEmail: management?.email,
      AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    },
  };
};

const listRoots: Handler = (ctx, input) => {
  const s = ctx.runtime.index.scenario;
  const root = { Id: s.rootId, Arn: `arn:aws:organizations::${s.managementAccountId}:root/${s.organizationId}/${s.rootId}`, Name: 'Root', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] };
  const { items, next } = paginate(ctx, [root], input, '');
  return pageOutput('Roots', items, next);
};

const listAccounts: Handler = (ctx, input) => {
  const { items, next } = paginate(ctx, ctx.runtime.index.scenario.accounts, input, '');
  return pageOutput('Accounts', items.map((a) => accountObject(ctx, a)), next);
};

const listAccountsForParent: Handler = (ctx, input) => {
  const { accounts } = childrenOf(ctx.runtime.index, input.ParentId);
  const { items, next } = paginate(ctx, accounts, input, String(input.ParentId));
  return pageOutput('Accounts', items.map((a) => accountObject(ctx, a)), next);
};

const listOrganizationalUnitsForParent: Handler = (ctx, input) => {
  const { ous } = childrenOf(ctx.runtime.index, input.ParentId);
  const { items, next } = paginate(ctx, ous, input, String(input.ParentId));
  return pageOutput('OrganizationalUnits', items.map((ou) => ouObject(ctx, ou)), next);
};

const listChildren: Handler = (ctx, input) => {
  const { ous, accounts } = childrenOf(ctx.runtime.index, input.ParentId);
  const type = input.ChildType;
  if (type !== 'ACCOUNT' && type !== 'ORGANIZATIONAL_UNIT') throw invalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
  const ids = type === 'ACCOUNT' ? accounts.map((a) => a.id) : ous.map((o) => o.id);
  const { items, next } = paginate(ctx, ids, input, `${String(input.ParentId)}|${type}`);
  return pageOutput('Children', items.map((Id) => ({ Id, Type: type })), next);
};

const listParents: Handler = (ctx, input) => {
  const index = ctx.runtime.index;
  const childId = input.ChildId;
  const parentId = typeof childId === 'string' ? (index.accounts.get(childId)?.parentId ?? index.ous.get(childId)?.parentId) : undefined;
  if (parentId === undefined) throw new AwsError('ChildNotFoundException', 'We can\'t find an organizational unit (OU) or AWS account with the ChildId that you specified.');
  const { items, next } = paginate(ctx, [parentId], input, String(childId));
  return pageOutput('Parents', items.map((Id) => ({ Id, Type: Id.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' })), next);
};

const listTagsForResource: Handler = (ctx, input) => {
  const index = ctx.runtime.index;
  const id = input.ResourceId;
  const target = typeof id === 'string' ? (index.accounts.get(id) ?? index.ous.get(id) ?? (id === index.scenario.rootId ? {} : undefined)) : undefined;
  if (!target) throw new AwsError('TargetNotFoundException', 'We can\'t find a root, OU, account, or policy with the TargetId that you specified.');
  const tags = 'tags' in target && target.tags ? target.tags : {};
  return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
};

export const ORGANIZATIONS_OPERATIONS: Record<string, Handler> = {
  DescribeOrganization: describeOrganization,
  ListRoots: listRoots,
  ListAccounts: listAccounts,
  ListAccountsForParent: listAccountsForParent,
  ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
  ListChildren: listChildren,
  ListParents: listParents,
  ListTagsForResource: listTagsForResource,
};

/**
 * Only the management account (or a delegated administrator) may read the organization; any
 * member may call DescribeOrganization (Organizations user guide, "Permissions").
 */
export function checkOrganizationsAccess(ctx: CallContext): void {
  if (ctx.operation === 'DescribeOrganization') return;
  if (ctx.account.id === ctx.runtime.index.scenario.managementAccountId || ctx.account.delegatedAdministrator) return;
  throw new AwsError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
}
