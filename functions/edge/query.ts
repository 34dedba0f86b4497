/**
 * Query strings as the routes read them. Pure functions (no I/O), shared by the handler wrapper.
 *
 * Array parameters arrive in three encodings and all three mean the same list:
 *   `x=a,b` (a comma list; API Gateway also joins a repeated `x=a&x=b` this way),
 *   `x[]=a&x[]=b` (PHP / Rails style),
 *   `x[0]=a&x[1]=b` (`qs`'s default, which Medusa's JS SDK sends).
 * Each becomes `x: "a,b"`, in index order for the indexed form. Operator keys such as
 * `quantity[$gt]` are kept as they are: a route declares each one it supports.
 */
import { DomainError } from '../core/errors.ts';

export function normaliseQuery(q: Record<string, string | undefined> | undefined): Record<string, string> {
  const parts = new Map<string, { index: number; order: number; value: string }[]>();
  let order = 0;
  for (const [k, v] of Object.entries(q ?? {})) {
    if (v === undefined) continue;
    // `x[]` and `x[3]` (only the last bracket, so `a[b][0]` is `a[b]`); `x[$gt]` is not an array index
    const m = /^(.+?)\[(\d{0,6})\]$/.exec(k);
    const key = m ? m[1]! : k;
    const index = m && m[2] !== '' ? Number(m[2]) : -1;
    const list = parts.get(key) ?? [];
    list.push({ index, order: order++, value: v });
    parts.set(key, list);
  }
  const out: Record<string, string> = {};
  for (const [key, list] of parts) {
    // plain and `[]` values first in their order, then the indexed ones by index
    list.sort((a, b) => (a.index === b.index ? a.order - b.order : a.index - b.index));
    out[key] = list.map((p) => p.value).join(',');
  }
  return out;
}

/**
 * A parameter the route does not declare is refused (400 naming it), never ignored: a filter that
 * is silently dropped answers with everything, the worst answer a client can get.
 */
export function refuseUnknown(query: Record<string, string>, known: readonly string[]): Record<string, string> {
  const unknown = Object.keys(query).filter((k) => !known.includes(k));
  if (!unknown.length) return query;
  const supported = known.length ? `supported here: ${known.join(', ')}` : 'this route takes no query parameters';
  throw new DomainError(
    'VALIDATION_ERROR',
    `query: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a supported query parameter' : 'are not supported query parameters'} (${supported})`,
    unknown.map((field) => ({ field, message: 'is not a supported query parameter of this route' })),
  );
}
