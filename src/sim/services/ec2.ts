import { el } from '../protocols/query.js';
import type { CallContext } from './context.js';

type Handler = (ctx: CallContext, input: URLSearchParams) => string;

/** ec2Query lists arrive flattened: `RegionName.1`, `Filter.1.Name`, `Filter.1.Value.1`. */
function list(input: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; input.has(`${prefix}.${i}`); i++) out.push(input.get(`${prefix}.${i}`)!);
  return out;
}

/**
 * DescribeRegions in the caller's account: enabled regions, or all with AllRegions=true, with
 * OptInStatus opt-in-not-required | opted-in | not-opted-in (EC2 API reference).
 */
const describeRegions: Handler = (ctx, input) => {
  const all = input.get('AllRegions') === 'true';
  const names = new Set(list(input, 'RegionName'));
  const filters = new Map<string, Set<string>>();
  for (let i = 1; input.has(`Filter.${i}.Name`); i++) filters.set(input.get(`Filter.${i}.Name`)!, new Set(list(input, `Filter.${i}.Value`)));
  let items = '';
  for (const region of ctx.runtime.index.scenario.regions) {
    const enabled = !region.optIn || ctx.account.optedInRegions.includes(region.name);
    if (!enabled && !all && !names.has(region.name)) continue;
    if (names.size > 0 && !names.has(region.name)) continue;
    const status = !region.optIn ? 'opt-in-not-required' : enabled ? 'opted-in' : 'not-opted-in';
    const byName = filters.get('region-name');
    const byStatus = filters.get('opt-in-status');
    if ((byName && !byName.has(region.name)) || (byStatus && !byStatus.has(status))) continue;
    items += `<item>${el('regionName', region.name)}${el('regionEndpoint', `ec2.${region.name}.amazonaws.com`)}${el('optInStatus', status)}</item>`;
  }
  return `<regionInfo>${items}</regionInfo>`;
};

export const EC2_OPERATIONS: Record<string, Handler> = {
  DescribeRegions: describeRegions,
};
