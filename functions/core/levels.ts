/** Location levels: stock an item somewhere, set or adjust its quantities, remove it; availability. */
import { availabilityFloor } from './model.ts';
import type { Actor } from './model.ts';
import { mayWrite, sees, visibleLevels } from './access.ts';
import { getItem, writeContext } from './items.ts';
import type { ItemWithLevels } from './items.ts';
import * as store from '../store/levels.ts';
import type * as z from 'zod';
import type { adjustLevelBody, createLevelBody, updateLevelBody } from './schemas.ts';
import { requireItem } from '../store/items.ts';

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
  const rec = await requireItem(actor.tenant, iid);
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
