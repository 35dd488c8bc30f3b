/**
 * Pages an AWS list operation to the last page. A page may be empty while a token is still set
 * (Organizations does this: its API reference, ListAccounts, NextToken), so only the token's absence ends it.
 */
export async function collectPages<T>(fetchPage: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>, onItems?: (items: T[]) => void): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    const items = page.items ?? [];
    if (onItems) onItems(items);
    else all.push(...items);
    token = page.next || undefined;
    if (token !== undefined) {
      // A token that comes back a second time would loop forever: a broken endpoint, not AWS.
      if (seen.has(token)) throw new Error(`pagination token repeated (${token.slice(0, 40)}): the endpoint is looping`);
      seen.add(token);
    }
  } while (token !== undefined);
  return all;
}
