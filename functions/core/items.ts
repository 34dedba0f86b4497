/** Inventory items: create, read, list, update, delete. */
import { newId } from './ids.ts';
import type { Actor, InventoryItem, Level } from './model.ts';
import { mayWriteEverywhere, restricted, visibleLevels } from './access.ts';
import type * as z from 'zod';
import type { CreateItemInput, listItemsQuery } from './schemas.ts';
import * as store from '../store/items.ts';
import { linksOfItem } from '../store/links.ts';
import { writeOffLedger } from '../store/ledger.ts';

/** An item as the admin family shows it: Medusa's aggregates (sums over the levels shown) and the levels. */
export type ItemWithLevels = InventoryItem & { stocked_quantity: number; reserved_quantity: number; location_levels: Level[] };

const nowIso = () => new Date().toISOString();
export const writeContext = (actor: Actor) => ({ tenant: actor.tenant, by: actor.keyName, now: nowIso() });

/** A new item (Medusa's `location_levels`: createItemWithLevels in core/levels.ts). */
export async function createItem(actor: Actor, input: CreateItemInput): Promise<InventoryItem> {
  const item = newItem(input);
  await store.putNewItem(actor.tenant, item);
  return item;
}

export function newItem(input: CreateItemInput): InventoryItem {
  const now = nowIso();
  const item: InventoryItem = {
    id: newId('iitem'),
    sku: input.sku ?? null,
    title: input.title ?? null,
    description: input.description ?? null,
    thumbnail: input.thumbnail ?? null,
    origin_country: input.origin_country ?? null,
    hs_code: input.hs_code ?? null,
    mid_code: input.mid_code ?? null,
    material: input.material ?? null,
    weight: input.weight ?? null,
    length: input.length ?? null,
    height: input.height ?? null,
    width: input.width ?? null,
    requires_shipping: input.requires_shipping ?? true,
    allow_backorder: input.allow_backorder ?? false,
    backorder_limit: input.backorder_limit ?? null,
    product_id: input.product_id ?? null,
    variant_attributes: input.variant_attributes ?? null,
    metadata: input.metadata ?? null,
    created_at: now,
    updated_at: now,
  };
  return item;
}

/** `read`: a read route's answer (GET item, its levels): an item with a hot level may answer from a read started at most INVENTORY_HOT_READ_MS before (store/items.ts sharedRead); a write's answer never does. */
export async function getItem(actor: Actor, iid: string, opts: { read?: boolean } = {}): Promise<ItemWithLevels> {
  const rec = await store.requireItem(actor.tenant, iid, { answer: opts.read });
  return withLevels(rec.item, visibleLevels(actor, rec.levels));
}

export function withLevels(item: InventoryItem, levels: Level[]): ItemWithLevels {
  const shown = levels.map(publicLevel);
  return {
    ...item,
    stocked_quantity: shown.reduce((sum, l) => sum + l.stocked_quantity, 0),
    reserved_quantity: shown.reduce((sum, l) => sum + l.reserved_quantity, 0),
    location_levels: shown,
  };
}

/** Levels as the API shows them (the sku copy is storage detail). */
export function publicLevel(l: Level): Level {
  const { sku: _sku, ...rest } = l as Level & { sku?: unknown };
  return rest as Level;
}

/** Settings that hold for every warehouse of an item: only a key limited to no warehouse may change them. */
const ITEM_WIDE_FIELDS = ['allow_backorder', 'backorder_limit', 'sku'] as const;

export async function updateItem(actor: Actor, iid: string, patch: CreateItemInput): Promise<ItemWithLevels> {
  const itemWide = ITEM_WIDE_FIELDS.filter((f) => patch[f] !== undefined);
  if (restricted(actor) && itemWide.length) mayWriteEverywhere(actor, `change ${itemWide.join(', ')} (they apply at every warehouse)`);
  await store.updateItem(actor.tenant, iid, patch as Partial<InventoryItem>, nowIso());
  return getItem(actor, iid);
}

export async function deleteItem(actor: Actor, iid: string): Promise<void> {
  const ctx = writeContext(actor);
  // item-wide: its levels everywhere (including ones created meanwhile) and its links go with it
  mayWriteEverywhere(actor, 'delete inventory items');
  await store.deleteItem(
    actor.tenant,
    iid,
    () => linksOfItem(actor.tenant, iid),
    (level) => writeOffLedger(ctx, level),
  );
}

/** `order`: the item index is in creation order (ids grow with time), so a page is cut from it either way (schemas.ts refuses any other order). */
export type ItemListQuery = z.output<typeof listItemsQuery> & { withLevels: boolean };

/** Admin list: a correct `count` of every match, and one page of items in creation order (filtered before the page is cut: core/filters.ts). */
export async function listItems(actor: Actor, query: ItemListQuery): Promise<{ items: (InventoryItem | ItemWithLevels)[]; count: number }> {
  const t = actor.tenant;
  let ids: string[];
  if (query.sku !== undefined) {
    // one sku, or a list (`sku=a,b`, `sku[0]=a&sku[1]=b`: any of them); a sku holding a comma matches as a whole too
    const wanted = [
      ...new Set([
        query.sku,
        ...query.sku
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ]),
    ];
    const found = await Promise.all(wanted.map((sku) => store.itemIdBySku(t, sku)));
    ids = [...new Set(found.filter((id): id is string => !!id))].sort(); // ids are ULIDs: creation order
    if (ids.length && query.q) {
      const byId = await store.getItems(t, ids);
      const needle = query.q.toLowerCase();
      ids = ids.filter((id) => {
        const item = byId.get(id);
        return `${item?.sku ?? ''}\n${item?.title ?? ''}\n${item?.description ?? ''}`.toLowerCase().includes(needle);
      });
    }
  } else {
    ids = await store.listItemIds(t, query.q);
  }
  // location_id and Medusa's location_levels[location_id]: stocked at any of the locations (both given: both hold)
  for (const locations of [query.location_id, query['location_levels[location_id]']]) {
    if (!locations?.length) continue;
    const at = new Set((await Promise.all(locations.map((w) => store.itemIdsAtLocation(t, w)))).flat());
    ids = ids.filter((id) => at.has(id));
  }
  if (query.order?.startsWith('-')) ids.reverse();
  const pageIds = ids.slice(query.offset, query.offset + query.limit);
  if (!query.withLevels) {
    const byId = await store.getItems(t, pageIds);
    return { items: pageIds.map((id) => byId.get(id)).filter((x): x is InventoryItem => !!x), count: ids.length };
  }
  const recs = await store.loadItemsWithLevels(t, pageIds);
  return {
    items: recs.map((r) => withLevels(r.item, visibleLevels(actor, r.levels))),
    count: ids.length,
  };
}
