/** Location levels: stock an item somewhere, set or adjust its quantities, remove it; availability. */
import { availabilityFloor } from './model.ts';
import type { Actor } from './model.ts';
import { mayWrite, sees, visibleLevels } from './access.ts';
import { getItem, newItem, publicLevel, writeContext } from './items.ts';
import { itemCreated } from '../store/items.ts';
import type { ItemWithLevels } from './items.ts';
import * as store from '../store/levels.ts';
import type * as z from 'zod';
import type { adjustLevelBody, createLevelBody, itemLevelsBatchBody, levelsBatchBody, levelsQuery, NewItemInput, updateLevelBody } from './schemas.ts';
import type { Level } from './model.ts';
import { validation } from './errors.ts';
import { loadItem, requireItem } from '../store/items.ts';

export async function createLevel(actor: Actor, iid: string, input: z.output<typeof createLevelBody>): Promise<ItemWithLevels> {
  mayWrite(actor, input.location_id);
  await store.createLevel(writeContext(actor), iid, input);
  return getItem(actor, iid);
}

/** Absolute set of stocked / incoming quantities and thresholds (optionally compare-and-set). */
export async function setLevel(actor: Actor, iid: string, wid: string, change: z.output<typeof updateLevelBody>): Promise<ItemWithLevels> {
  mayWrite(actor, wid);
  await store.changeLevel(writeContext(actor), iid, wid, change);
  return getItem(actor, iid);
}

/** Relative change of the stocked quantity (the admin family's adjustInventory). */
export async function adjustLevel(actor: Actor, iid: string, wid: string, input: z.output<typeof adjustLevelBody>): Promise<ItemWithLevels> {
  mayWrite(actor, wid);
  await store.changeLevel(writeContext(actor), iid, wid, input);
  return getItem(actor, iid);
}

/** Remove a level; answers Medusa's delete shape, the level's id and its item (as it is after) as parent. */
export async function deleteLevel(
  actor: Actor,
  iid: string,
  wid: string,
): Promise<{ id: string; object: 'inventory-level'; deleted: true; parent: ItemWithLevels }> {
  mayWrite(actor, wid);
  await store.deleteLevel(writeContext(actor), iid, wid);
  return deletedLevel(actor, iid, wid);
}

/** The answer to a level delete (also a replay's: the item as it is now). */
export async function deletedLevel(actor: Actor, iid: string, wid: string) {
  return { id: store.levelId(iid, wid), object: 'inventory-level' as const, deleted: true as const, parent: await getItem(actor, iid) };
}

export interface Availability {
  inventory_item_id: string;
  location_ids: string[];
  stocked_quantity: number;
  reserved_quantity: number;
  incoming_quantity: number;
  available_quantity: number;
  quantity: number | null;
  sufficient: boolean | null;
}

/**
 * The admin family's confirmInventory and retrieve{Stocked,Reserved,Available}Quantity over the given
 * locations (all of the item's levels when none are given). A location without a level counts 0.
 */
export async function availability(actor: Actor, iid: string, locationIds: string[] | undefined, quantity?: number): Promise<Availability> {
  const rec = await requireItem(actor.tenant, iid, { answer: true });
  const visible = visibleLevels(actor, rec.levels);
  locationIds = locationIds?.filter((w) => sees(actor, w));
  const levels = locationIds?.length ? visible.filter((l) => locationIds!.includes(l.location_id)) : visible;
  const sum = (f: (l: (typeof levels)[number]) => number) => levels.reduce((a, l) => a + f(l), 0);
  const available = sum((l) => l.available_quantity);
  const floor = availabilityFloor(rec.item);
  return {
    inventory_item_id: iid,
    location_ids: locationIds?.length ? locationIds : visible.map((l) => l.location_id),
    stocked_quantity: sum((l) => l.stocked_quantity),
    reserved_quantity: sum((l) => l.reserved_quantity),
    incoming_quantity: sum((l) => l.incoming_quantity),
    available_quantity: available,
    quantity: quantity ?? null,
    sufficient: quantity === undefined ? null : floor === null || available - quantity >= floor,
  };
}

/** The location-levels list: seed 000's `{ inventory_item: { id, location_levels } }` and Medusa's page in one body. */
export async function listLevels(actor: Actor, iid: string, query: z.output<typeof levelsQuery>) {
  const item = await getItem(actor, iid, { read: true });
  const at = query.location_id?.length ? new Set(query.location_id) : undefined;
  const levels = at ? item.location_levels.filter((l) => at.has(l.location_id)) : item.location_levels;
  return {
    inventory_item: { id: item.id, location_levels: levels },
    inventory_levels: levels.slice(query.offset, query.offset + query.limit),
    count: levels.length,
    offset: query.offset,
    limit: query.limit,
  };
}

type ItemBatch = z.output<typeof itemLevelsBatchBody>;
type AcrossBatch = z.output<typeof levelsBatchBody>;

/** Medusa's batch on one item, as the door's batch (`delete` lists locations). */
function itemBatch(iid: string, body: ItemBatch): store.LevelBatch {
  return {
    create: (body.create ?? []).map((c, i) => ({ ...c, inventory_item_id: iid, field: `create[${i}]` })),
    update: (body.update ?? []).map((u, i) => ({ ...checkedUpdate(u, iid, `update[${i}]`), inventory_item_id: iid })),
    delete: (body.delete ?? []).map((wid, i) => ({ inventory_item_id: iid, location_id: wid, field: `delete[${i}]` })),
    force: body.force,
  };
}

/** Medusa's batch across items (`delete` lists level ids, which name their item and location). */
function acrossBatch(body: AcrossBatch): store.LevelBatch {
  return {
    create: (body.create ?? []).map((c, i) => ({ ...c, field: `create[${i}]` })),
    update: (body.update ?? []).map((u, i) => ({ ...checkedUpdate(u, u.inventory_item_id, `update[${i}]`), inventory_item_id: u.inventory_item_id })),
    delete: (body.delete ?? []).map((lid, i) => {
      const parsed = store.parseLevelId(lid);
      if (!parsed) throw validation(`delete[${i}]`, `${lid} is not a level id (ilev_<item>:<location>)`);
      return { inventory_item_id: parsed.iid, location_id: parsed.wid, field: `delete[${i}]` };
    }),
    force: body.force,
  };
}

function checkedUpdate<U extends { id?: string; location_id: string; stocked_quantity?: number; incoming_quantity?: number }>(
  u: U,
  iid: string,
  field: string,
) {
  if (u.id !== undefined && u.id !== store.levelId(iid, u.location_id)) {
    throw validation(`${field}.id`, `${u.id} is not the level of ${iid} at ${u.location_id} (${store.levelId(iid, u.location_id)})`);
  }
  return { location_id: u.location_id, stocked_quantity: u.stocked_quantity, incoming_quantity: u.incoming_quantity, field };
}

/** What a batch did, read after it (also a replay's answer: the levels as they are now). */
async function batchAnswer(actor: Actor, batch: store.LevelBatch) {
  const iids = [...new Set([...batch.create, ...batch.update, ...batch.delete].map((o) => o.inventory_item_id))];
  const recs = new Map((await Promise.all(iids.map((iid) => loadItem(actor.tenant, iid)))).flatMap((r) => (r ? [[r.item.id, r] as const] : [])));
  const levelOf = (o: { inventory_item_id: string; location_id: string }): Level[] => {
    const l = recs.get(o.inventory_item_id)?.levels.find((x) => x.location_id === o.location_id);
    return l && sees(actor, l.location_id) ? [publicLevel(l)] : [];
  };
  return {
    created: batch.create.flatMap(levelOf),
    updated: batch.update.flatMap(levelOf),
    deleted: batch.delete.map((d) => store.levelId(d.inventory_item_id, d.location_id)),
  };
}

const mayWriteBatch = (actor: Actor, batch: store.LevelBatch) =>
  mayWrite(actor, ...[...batch.create, ...batch.update, ...batch.delete].map((o) => o.location_id));

/** `POST /admin/inventory-items/{id}/location-levels/batch`: all or nothing; answers what changed and the item after. */
export async function batchItemLevels(actor: Actor, iid: string, body: ItemBatch, replay = false) {
  const batch = itemBatch(iid, body);
  if (!replay) {
    mayWriteBatch(actor, batch);
    await store.batchLevels(writeContext(actor), batch);
  }
  return { ...(await batchAnswer(actor, batch)), inventory_item: await getItem(actor, iid) };
}

/** `POST /admin/inventory-items/location-levels/batch`: levels of several items, all or nothing. */
export async function batchLevels(actor: Actor, body: AcrossBatch, replay = false) {
  const batch = acrossBatch(body);
  if (!replay) {
    mayWriteBatch(actor, batch);
    await store.batchLevels(writeContext(actor), batch);
  }
  return batchAnswer(actor, batch);
}

/** `POST /admin/inventory-items` with Medusa's `location_levels`: the item and its levels in one all-or-nothing transaction. */
export async function createItemWithLevels(actor: Actor, input: NewItemInput) {
  const { location_levels: levels = [], ...fields } = input;
  const item = newItem(fields);
  mayWrite(actor, ...levels.map((l) => l.location_id));
  const create = levels.map((l, i) => ({ ...l, inventory_item_id: item.id, field: `location_levels[${i}]` }));
  await store.createItemWithLevels(writeContext(actor), item, create);
  await itemCreated(actor.tenant, item);
  return getItem(actor, item.id);
}
