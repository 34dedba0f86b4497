/** The merchant inventory-record API (seed 004): a record is one level, addressed by the level's id. */
import { DomainError } from './errors.ts';
import type { Actor, InventoryItem, Level } from './model.ts';
import { levelStatus } from './model.ts';
import { createItem, writeContext } from './items.ts';
import { mayWrite, sees } from './access.ts';
import type * as z from 'zod';
import type { recordBody } from './schemas.ts';
import { itemIdBySku, loadItem } from '../store/items.ts';
import { createLevel, levelId, parseLevelId } from '../store/levels.ts';
import { getWarehouse, listWarehouses } from '../store/locations.ts';
import { skuPage } from '../store/inventory.ts';

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
  let iid = await itemIdBySku(actor.tenant, sku);
  if (!iid) {
    try {
      iid = (await createItem(actor, { sku, product_id: input.productId, variant_attributes: input.variantAttributes ?? null })).id;
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
    });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'CONFLICT') throw new DomainError('DUPLICATE', DUPLICATE_RECORD);
    throw err;
  }
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
 * Records whose availableQty ≤ reorderLevel. Until the low-stock index lands (issue 5), this reads
 * the SKU index page by page: its cost follows the catalogue.
 */
export async function lowStockRecords(actor: Actor) {
  const names = new Map((await listWarehouses(actor.tenant)).map((w) => [w.id, w.name]));
  const out: ReturnType<typeof toRecord>[] = [];
  let cursor: string | undefined;
  do {
    const page = await skuPage(actor.tenant, { limit: 200, cursor, maxRequests: 5 });
    for (const r of page.records) {
      for (const l of r.levels) {
        if (sees(actor, l.location_id) && l.available_quantity <= l.reorder_level) out.push(toRecord(actor.tenant, r.item, l, names.get(l.location_id) ?? null));
      }
    }
    cursor = page.next;
  } while (cursor);
  return out;
}
