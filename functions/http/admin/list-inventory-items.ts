import { defineHandler } from '#edge/http.ts';
import { adminItemsList } from '#routes';
import { listItems } from '#core/items.ts';

/** `fields` may ask for location_levels (Medusa: `*location_levels` or `+location_levels`). */
const wantsLevels = (fields?: string) => !!fields && /(^|,)\s*[*+]?location_levels\b/.test(fields);
const FIXED = ['id'];

export const handler = defineHandler(adminItemsList)(async ({ actor, query }) => {
  const { items, count } = await listItems(actor, { ...query, withLevels: wantsLevels(query.fields) });
  return { inventory_items: items.map((i) => pick(i, query.fields)), count, offset: query.offset, limit: query.limit };
});

/** Without a prefix, `fields` replaces the default field list; `+f` / `*f` add to it. */
function pick<T extends { id: string }>(item: T, fields?: string): Pick<T, 'id'> & Partial<T> {
  if (!fields) return item;
  const list = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const replacing = list.filter((f) => !/^[+*-]/.test(f));
  const removed = list.filter((f) => f.startsWith('-')).map((f) => f.slice(1));
  let out = item as Record<string, unknown>;
  if (replacing.length) out = Object.fromEntries(Object.entries(item).filter(([k]) => FIXED.includes(k) || replacing.includes(k)));
  if (removed.length) out = Object.fromEntries(Object.entries(out).filter(([k]) => FIXED.includes(k) || !removed.includes(k)));
  return out as Pick<T, 'id'> & Partial<T>;
}
