/** The merchant inventory-record API (records family): a record is one level, addressed by the level's id. */
import { besideTheEffect } from '../store/idempotency.ts';
import { DomainError, readonlyWarehouse } from './errors.ts';
import type { Actor, InventoryItem, Level } from './model.ts';
import { createItem, writeContext } from './items.ts';
import { mayWrite, sees } from './access.ts';
import type * as z from 'zod/mini';
import type { recordBody } from './schemas.ts';
import { deleteUnusedItem, getItems, itemIdBySku, loadItem } from '../store/items.ts';
import { flaggedLevels } from '../store/flags.ts';
import { createLevel, levelId, parseLevelId } from '../store/levels.ts';
import { getWarehouse, listWarehouses } from '../store/locations.ts';

type RecordInput = z.infer<typeof recordBody>;

export const DUPLICATE_RECORD = 'An inventory record for this product already exists in the specified warehouse.';

export function toRecord(tenant: string, item: InventoryItem, level: Level, warehouseName: string | null) {
  return {
    id: level.id,
    productId: item.product_id,
    skuId: item.sku !== item.product_id ? item.sku : null,
    tenantId: tenant,
    warehouseId: level.location_id,
    warehouseName,
    location: level.bin_location,
    onHandQty: level.stocked_quantity,
    reservedQty: level.reserved_quantity,
    availableQty: level.available_quantity,
    reorderLevel: level.reorder_level,
    reorderQty: level.reorder_quantity,
    variantAttributes: item.variant_attributes ?? {},
    createdAt: level.created_at,
    updatedAt: level.updated_at,
  };
}

/** Finds or creates the item (sku = skuId ?? productId), then creates its level with initialQty. */
export async function createRecord(actor: Actor, input: RecordInput) {
  const sku = input.skuId ?? input.productId;
  mayWrite(actor, input.warehouseId);
  const warehouse = await getWarehouse(actor.tenant, input.warehouseId);
  if (!warehouse) throw new DomainError('WAREHOUSE_NOT_FOUND', `Warehouse ${input.warehouseId} does not exist`);
  // spares creating an item for a level that cannot be made (the level's own transaction still decides)
  if (warehouse.is_readonly && input.initialQty > 0) throw readonlyWarehouse(input.warehouseId);
  let iid = await itemIdBySku(actor.tenant, sku);
  let created = false;
  if (!iid) {
    try {
      // the item is not the record: an Idempotency-Key is used by the level's transaction below, and a
      // retry after a crash in between finds this item by its sku and creates the level
      iid = (await besideTheEffect(() => createItem(actor, { sku, product_id: input.productId, variant_attributes: input.variantAttributes ?? null }))).id;
      created = true;
    } catch (err) {
      // created by a concurrent request: use that one
      if (!(err instanceof DomainError) || err.code !== 'DUPLICATE') throw err;
      iid = await itemIdBySku(actor.tenant, sku);
      if (!iid) throw err;
    }
  }
  try {
    await createLevel(writeContext(actor), iid, {
      location_id: input.warehouseId,
      stocked_quantity: input.initialQty,
      bin_location: input.location ?? null,
      reorder_level: input.reorderLevel,
      reorder_quantity: input.reorderQty,
      // an item found by sku must be this product's (the check is in the level's transaction)
      product_id: input.productId,
    });
  } catch (err) {
    // the item this request created has no level: take it away again (conditioned on no level ever
    // having been created for it, so one a concurrent request stocked meanwhile stays)
    if (created) await besideTheEffect(() => deleteUnusedItem(actor.tenant, iid!, sku));
    if (err instanceof DomainError && err.code === 'CONFLICT' && /already stocked/.test(err.message)) throw new DomainError('DUPLICATE', DUPLICATE_RECORD);
    throw err;
  }
  return getRecord(actor, levelId(iid, input.warehouseId));
}

/** The record a create made, as it is now (a retry of a used Idempotency-Key whose answer was not kept). */
export async function createdRecord(actor: Actor, input: RecordInput) {
  const iid = await itemIdBySku(actor.tenant, input.skuId ?? input.productId);
  if (!iid) throw new DomainError('NOT_FOUND', `Inventory record for ${input.skuId ?? input.productId} was not found`);
  return getRecord(actor, levelId(iid, input.warehouseId));
}

export async function getRecord(actor: Actor, id: string) {
  const ref = parseLevelId(id);
  const rec = ref ? await loadItem(actor.tenant, ref.iid) : undefined;
  const level = rec?.levels.find((l) => l.location_id === ref!.wid && sees(actor, l.location_id));
  if (!rec || !level) throw new DomainError('NOT_FOUND', `Inventory record ${id} was not found`);
  const warehouse = await getWarehouse(actor.tenant, level.location_id);
  return toRecord(actor.tenant, rec.item, level, warehouse?.name ?? null);
}

/**
 * Records whose availableQty ≤ reorderLevel, read from the low-stock flags (levels whose status is
 * not normal, kept by the stream consumer): the cost follows the flagged levels, not the catalogue.
 */
export async function lowStockRecords(actor: Actor) {
  const levels = (await flaggedLevels(actor.tenant)).map((f) => f.level).filter((l) => sees(actor, l.location_id) && l.available_quantity <= l.reorder_level);
  const [items, warehouses] = await Promise.all([getItems(actor.tenant, [...new Set(levels.map((l) => l.inventory_item_id))]), listWarehouses(actor.tenant)]);
  const names = new Map(warehouses.map((w) => [w.id, w.name]));
  return levels.flatMap((l) => {
    const item = items.get(l.inventory_item_id);
    return item ? [toRecord(actor.tenant, item, l, names.get(l.location_id) ?? null)] : [];
  });
}
