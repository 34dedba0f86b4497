/**
 * Filters that the admin lists apply to rows they have already read (no I/O here).
 *
 * Page semantics stay honest: each list reads every row its index gives for the request (the tenant's
 * reservations, or an item's or a line item's; the tenant's warehouses; the tenant's item index), then
 * filters, then counts, then cuts the page: `count` is the number of matches, and `offset` / `limit`
 * page through the matches — a page is never short because rows were filtered out of it after the
 * cut. The cost is the read the list already made (docs/design.md, "Data").
 */

/** SQL LIKE as Medusa's `$like` / `$ilike`: `%` any run of characters, `_` one character, the rest literal. */
export function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((c) => (c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

export interface Range {
  $gt?: number;
  $gte?: number;
  $lt?: number;
  $lte?: number;
}

/** The operators of `field` in a parsed query (`field[$gt]` …), or undefined when none was given. */
export function rangeOf(query: Record<string, unknown>, field: string): Range | undefined {
  const r: Range = {};
  for (const op of ['$gt', '$gte', '$lt', '$lte'] as const) {
    const v = query[`${field}[${op}]`];
    if (typeof v === 'number') r[op] = v;
  }
  return Object.keys(r).length ? r : undefined;
}

export function inRange(v: number, r: Range | undefined): boolean {
  if (!r) return true;
  return (
    (r.$gt === undefined || v > r.$gt) && (r.$gte === undefined || v >= r.$gte) && (r.$lt === undefined || v < r.$lt) && (r.$lte === undefined || v <= r.$lte)
  );
}
