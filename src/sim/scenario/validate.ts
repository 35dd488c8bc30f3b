import { ACCOUNT_ID_PATTERN } from '../../core/names.js';
import type { SimKey, SimScenario } from '../types.js';

export interface ScenarioIssue {
  /** Key path, e.g. `accounts[3].keys[0].region`. */
  path: string;
  message: string;
}

const isDate = (s: string | undefined): boolean => s === undefined || !Number.isNaN(Date.parse(s));

/**
 * Cross-reference checks a schema cannot express: parents exist, keys live in regions the
 * account has enabled, ids are unique, multi-Region keys name real primaries. Linear in the size
 * of the scenario, so it also runs when the simulator starts.
 */
export function scenarioIssues(s: SimScenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string): void => {
    if (issues.length < 50) issues.push({ path, message });
  };
  if (s.partition !== 'aws') add('partition', `expected "aws", got ${JSON.stringify(s.partition)}`);
  if (!/^o-[a-z0-9]{10,32}$/.test(s.organizationId)) add('organizationId', `expected "o-" and 10 to 32 lowercase letters or digits, got ${JSON.stringify(s.organizationId)}`);
  if (!/^r-[0-9a-z]{4,32}$/.test(s.rootId)) add('rootId', `expected "r-" and 4 to 32 lowercase letters or digits, got ${JSON.stringify(s.rootId)}`);
  const regions = new Map<string, boolean>();
  s.regions.forEach((r, i) => {
    if (regions.has(r.name)) add(`regions[${i}].name`, `duplicate region ${r.name}`);
    regions.set(r.name, r.optIn);
  });
  if (!regions.has(s.homeRegion)) add('homeRegion', `region ${s.homeRegion} is not in regions`);
  else if (regions.get(s.homeRegion)) add('homeRegion', `home region ${s.homeRegion} must not be an opt-in region`);
  const parents = new Set([s.rootId]);
  s.ous.forEach((ou, i) => {
    if (!/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(ou.id)) add(`ous[${i}].id`, `expected "ou-xxxx-xxxxxxxx", got ${JSON.stringify(ou.id)}`);
    if (parents.has(ou.id)) add(`ous[${i}].id`, `duplicate OU id ${ou.id}`);
    parents.add(ou.id);
  });
  const ouParents = new Map(s.ous.map((ou) => [ou.id, ou.parentId]));
  s.ous.forEach((ou, i) => {
    if (!parents.has(ou.parentId)) add(`ous[${i}].parentId`, `unknown parent ${ou.parentId}`);
    let id: string | undefined = ou.parentId;
    for (let depth = 0; id !== undefined && id !== s.rootId; depth++) {
      if (id === ou.id || depth > 5) {
        add(`ous[${i}].parentId`, 'OUs form a cycle or nest deeper than 5 levels (AWS allows 5)');
        break;
      }
      id = ouParents.get(id);
    }
  });
  const accountIds = new Set<string>();
  s.accounts.forEach((a, i) => {
    const at = `accounts[${i}]`;
    if (!ACCOUNT_ID_PATTERN.test(a.id)) add(`${at}.id`, `expected 12 digits, got ${JSON.stringify(a.id)}`);
    if (accountIds.has(a.id)) add(`${at}.id`, `duplicate account id ${a.id}`);
    accountIds.add(a.id);
    if (!parents.has(a.parentId)) add(`${at}.parentId`, `unknown parent ${a.parentId}`);
    a.optedInRegions.forEach((r, j) => {
      if (regions.get(r) !== true) add(`${at}.optedInRegions[${j}]`, `${r} is not an opt-in region of the scenario`);
    });
    if (!isDate(a.joinedTimestamp)) add(`${at}.joinedTimestamp`, 'expected an ISO 8601 date');
    const seen = new Set<string>();
    const aliases = new Set<string>();
    a.keys.forEach((k, j) => checkKey(k, `${at}.keys[${j}]`, a.optedInRegions, regions, seen, aliases, add));
    for (const [j, k] of a.keys.entries()) {
      const mr = k.multiRegion;
      if (mr?.type === 'REPLICA' && !seen.has(`${mr.primaryRegion}|${mr.primaryKeyId}`)) add(`${at}.keys[${j}].multiRegion.primaryKeyId`, `primary ${mr.primaryKeyId} not found in ${mr.primaryRegion}`);
    }
  });
  if (!accountIds.has(s.managementAccountId)) add('managementAccountId', `account ${s.managementAccountId} is not in accounts`);
  return issues;
}

function checkKey(
  k: SimKey,
  at: string,
  optedIn: string[],
  regions: Map<string, boolean>,
  seen: Set<string>,
  aliases: Set<string>,
  add: (path: string, message: string) => void,
): void {
  const optIn = regions.get(k.region);
  if (optIn === undefined) add(`${at}.region`, `region ${k.region} is not in regions`);
  else if (optIn && !optedIn.includes(k.region)) add(`${at}.region`, `region ${k.region} is not enabled for this account (add it to optedInRegions)`);
  const id = `${k.region}|${k.keyId}`;
  if (seen.has(id)) add(`${at}.keyId`, `duplicate key id ${k.keyId} in ${k.region}`);
  seen.add(id);
  if (k.multiRegion && !k.keyId.startsWith('mrk-')) add(`${at}.keyId`, 'multi-Region key ids start with "mrk-"');
  for (const alias of k.aliases) {
    if (!/^alias\/[\w/:-]+$/.test(alias)) add(`${at}.aliases`, `${JSON.stringify(alias)} is not an alias name (alias/…)`);
    if (alias.startsWith('alias/aws/') && k.keyManager !== 'AWS') add(`${at}.aliases`, `${alias}: alias/aws/ is reserved for AWS managed keys`);
    if (aliases.has(`${k.region}|${alias}`)) add(`${at}.aliases`, `duplicate alias ${alias} in ${k.region}`);
    aliases.add(`${k.region}|${alias}`);
  }
  const p = k.rotation.periodDays;
  if (p !== undefined && (!Number.isInteger(p) || p < 90 || p > 2560)) add(`${at}.rotation.periodDays`, `expected an integer 90..2560, got ${p}`);
  for (const [field, value] of [['creationDate', k.creationDate], ['deletionDate', k.deletionDate], ['validTo', k.validTo], ['rotation.nextRotationDate', k.rotation.nextRotationDate], ['rotation.onDemandRotationStartDate', k.rotation.onDemandRotationStartDate]] as const) {
    if (!isDate(value)) add(`${at}.${field}`, 'expected an ISO 8601 date');
  }
  if (k.keyState === 'PendingDeletion' && k.deletionDate === undefined) add(`${at}.deletionDate`, 'a PendingDeletion key needs a deletionDate');
}
