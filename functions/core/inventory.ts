/** The SKU-addressed inventory family: summaries, stock by SKU, history, transfers. */
import { DomainError, notFound, quantityMismatch, validation } from './errors.ts';
import { newId } from './ids.ts';
import { writeContext } from './items.ts';
import type * as z from 'zod';
import type { adjustmentsQuery, inventoryListQuery, SetStockInput, transferBody } from './schemas.ts';
import { changeLevel, createLevel } from '../store/levels.ts';
import { countLedger, queryLedger } from '../store/ledger.ts';
import { transferStock } from '../store/stock.ts';
import { levelStatus } from './model.ts';
import { mayWrite, sees, visibleLevels } from './access.ts';
import type { Actor, InventoryItem, Level, LevelStatus, Warehouse } from './model.ts';
import { listWarehouses } from '../store/locations.ts';
import * as inv from '../store/inventory.ts';
import type { SkuRecord } from '../store/inventory.ts';
import { itemIdBySku, loadItem, skuTotal, skuTotalKeys, skuTotalOf } from '../store/items.ts';
import { getWarehouse, levelCount } from '../store/locations.ts';

export interface WarehouseLine {
  warehouse_id: string;
  name: string | null;
  type: string | null;
  on_hand: number;
  reserved: number;
  available: number;
}
export interface WarehouseDetail extends WarehouseLine {
  incoming: number;
  safety_stock: number;
  reorder_level: number;
  reorder_quantity: number;
  bin_location: string | null;
  status: LevelStatus;
  damaged?: number;
  quality_control?: number;
  in_transit?: number;
}
export interface SkuSummary<W = WarehouseLine> {
  sku: string;
  title: string | null;
  total_on_hand: number;
  total_reserved: number;
  total_available: number;
  total_incoming: number;
  safety_stock: number;
  status: LevelStatus;
  warehouses: W[];
}

/** The contract's quantity rules over an item's levels: per-level available (safety stock subtracted), totals, status. */
export function summarise(item: InventoryItem, levels: Level[], warehouses: Map<string, Warehouse>, detail: true): SkuSummary<WarehouseDetail>;
export function summarise(item: InventoryItem, levels: Level[], warehouses: Map<string, Warehouse>, detail: false): SkuSummary<WarehouseLine>;
export function summarise(
  item: InventoryItem,
  levels: Level[],
  warehouses: Map<string, Warehouse>,
  detail: boolean,
): SkuSummary<WarehouseLine | WarehouseDetail> {
  const sum = (f: (l: Level) => number) => levels.reduce((a, l) => a + f(l), 0);
  const safety = sum((l) => l.safety_stock);
  const available = sum((l) => l.available_quantity);
  return {
    sku: item.sku ?? item.id,
    title: item.title,
    total_on_hand: sum((l) => l.stocked_quantity),
    total_reserved: sum((l) => l.reserved_quantity),
    total_available: available,
    total_incoming: sum((l) => l.incoming_quantity),
    safety_stock: safety,
    status: levelStatus(
      available,
      safety,
      sum((l) => l.reorder_level),
    ),
    warehouses: [...levels]
      .sort((a, b) => (warehouses.get(b.location_id)?.priority ?? 0) - (warehouses.get(a.location_id)?.priority ?? 0))
      .map((l) => {
        const w = warehouses.get(l.location_id);
        const line: WarehouseLine = {
          warehouse_id: l.location_id,
          name: w?.name ?? null,
          type: w?.type ?? null,
          on_hand: l.stocked_quantity,
          reserved: l.reserved_quantity,
          available: l.available_quantity,
        };
        if (!detail) return line;
        return {
          ...line,
          incoming: l.incoming_quantity,
          safety_stock: l.safety_stock,
          reorder_level: l.reorder_level,
          reorder_quantity: l.reorder_quantity,
          bin_location: l.bin_location,
          status: levelStatus(l.available_quantity, l.safety_stock, l.reorder_level),
          // named states and units in transit, only where a level has them (answers without states are unchanged)
          ...(l.damaged_quantity ? { damaged: l.damaged_quantity } : {}),
          ...(l.quality_control_quantity ? { quality_control: l.quality_control_quantity } : {}),
          ...(l.in_transit_quantity ? { in_transit: l.in_transit_quantity } : {}),
        };
      }),
  };
}

async function warehouseMap(actor: Actor): Promise<Map<string, Warehouse>> {
  return new Map((await listWarehouses(actor.tenant)).map((w) => [w.id, w]));
}

export type InventoryQuery = z.output<typeof inventoryListQuery>;

export async function listInventory(actor: Actor, q: InventoryQuery) {
  if (q.warehouse_id && !sees(actor, q.warehouse_id)) throw notFound('Warehouse', q.warehouse_id, 'WAREHOUSE_NOT_FOUND');
  if (!q.warehouse_id && q.sku === undefined && !q.status) {
    // the plain SKU page: its levels, their warehouses and the SKU count in one read (store/inventory.ts skuPage)
    const page = await inv.skuPage(actor.tenant, { limit: q.limit, cursor: q.cursor, alsoRead: skuTotalKeys(actor.tenant) });
    const wh = (page.warehouses ?? new Map()) as Map<string, Warehouse>;
    const data = page.records.map((r) => summarise(r.item, visibleLevels(actor, r.levels), wh, false));
    return { data, meta: { total: skuTotalOf(page.also ?? []), limit: q.limit, nextCursor: page.next ?? null } };
  }
  const [wh, page, total] = await Promise.all([warehouseMap(actor), pageFor(actor, q), totalFor(actor, q)]);
  const data = page.records.map((r) => summarise(r.item, r.levels, wh, false));
  return { data, meta: { total, limit: q.limit, nextCursor: page.next ?? null } };
}

const statusOf = (r: SkuRecord) => {
  const sum = (f: (l: Level) => number) => r.levels.reduce((a, l) => a + f(l), 0);
  return levelStatus(
    sum((l) => l.available_quantity),
    sum((l) => l.safety_stock),
    sum((l) => l.reorder_level),
  );
};

async function pageFor(actor: Actor, q: InventoryQuery): Promise<inv.Page> {
  const page = await rawPageFor(actor, q);
  return { ...page, records: page.records.map((r) => ({ item: r.item, levels: visibleLevels(actor, r.levels) })) };
}

async function rawPageFor(actor: Actor, q: InventoryQuery): Promise<inv.Page> {
  const filterStatus = q.status ? (r: SkuRecord) => statusOf(r) === q.status : undefined;
  // a warehouse-limited key judges a SKU's status by the warehouses it sees
  const accept = filterStatus && ((r: SkuRecord) => filterStatus({ item: r.item, levels: visibleLevels(actor, r.levels) }));
  if (q.sku !== undefined) {
    const rec = await skuRecord(actor, q.sku).catch(() => undefined);
    const levels = rec && q.warehouse_id ? rec.levels.filter((l) => l.location_id === q.warehouse_id) : rec?.levels;
    const r = rec && levels && (!q.warehouse_id || levels.length) ? { item: rec.item, levels } : undefined;
    return { records: r && (!accept || accept(r)) ? [r] : [], requests: 2 };
  }
  if (q.warehouse_id) {
    if (!(await getWarehouse(actor.tenant, q.warehouse_id))) throw notFound('Warehouse', q.warehouse_id, 'WAREHOUSE_NOT_FOUND');
    return inv.warehousePage(actor.tenant, q.warehouse_id, { limit: q.limit, cursor: q.cursor, accept });
  }
  return inv.skuPage(actor.tenant, { limit: q.limit, cursor: q.cursor, accept });
}

/** meta.total: kept counts where there is one (all SKUs, levels per warehouse); a status filter counts its matches. */
async function totalFor(actor: Actor, q: InventoryQuery): Promise<number> {
  if (q.sku !== undefined) {
    const page = await pageFor(actor, { ...q, cursor: undefined, limit: 1 });
    return page.records.length;
  }
  if (!q.status) {
    if (q.warehouse_id) return levelCount(actor.tenant, q.warehouse_id);
    return skuTotal(actor.tenant);
  }
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await pageFor(actor, { ...q, cursor, limit: 200 });
    total += page.records.length;
    cursor = page.next;
  } while (cursor);
  return total;
}

/** A SKU's item and levels; 404 INVENTORY_NOT_FOUND when the tenant has no such SKU. */
export async function skuRecord(actor: Actor, sku: string): Promise<SkuRecord> {
  const iid = await itemIdBySku(actor.tenant, sku);
  const rec = iid ? await loadItem(actor.tenant, iid) : undefined;
  if (!rec) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no inventory record`);
  return { item: rec.item, levels: rec.levels };
}

export async function getSku(actor: Actor, sku: string) {
  const [rec, wh] = await Promise.all([skuRecord(actor, sku), warehouseMap(actor)]);
  return summarise(rec.item, visibleLevels(actor, rec.levels), wh, true);
}

/**
 * PUT /api/inventory/{sku}: set the stocked quantity at a warehouse (compare-and-set with
 * expected_quantity), creating the level when the SKU has none there.
 */
export async function setStock(actor: Actor, sku: string, input: SetStockInput) {
  await applyStock(actor, sku, input);
  return getSku(actor, sku);
}

/** The write of setStock. With skipIfAt, a level already at the quantity is left alone (no ledger row). */
export async function applyStock(actor: Actor, sku: string, input: SetStockInput, opts: { skipIfAt?: boolean } = {}): Promise<'applied' | 'unchanged'> {
  mayWrite(actor, input.warehouse_id);
  const ctx = writeContext(actor);
  const { iid } = await skuItemId(actor, sku);
  if (opts.skipIfAt) {
    const level = (await loadItem(actor.tenant, iid))?.levels.find((l) => l.location_id === input.warehouse_id);
    // at its target already: unchanged, whatever expected_quantity said the quantity was before
    if (level && level.stocked_quantity === input.quantity) return 'unchanged';
  }
  const change = {
    stocked_quantity: input.quantity,
    reason: input.reason,
    note: input.note,
    reference: input.reference,
    expected_quantity: input.expected_quantity,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await changeLevel(ctx, iid, input.warehouse_id, change);
      break;
    } catch (err) {
      // reached its target meanwhile (the compare-and-set saw the new quantity): unchanged
      if (opts.skipIfAt && err instanceof DomainError && err.code === 'QUANTITY_MISMATCH' && err.extra?.current_quantity === input.quantity) return 'unchanged';
      if (!(err instanceof DomainError) || err.code !== 'NOT_FOUND' || attempt > 2) throw err;
    }
    // no level there yet: create it with the quantity (its ledger row carries the request's reason)
    if (input.expected_quantity !== undefined && input.expected_quantity !== 0) throw quantityMismatch(input.expected_quantity, 0);
    try {
      await createLevel(ctx, iid, {
        location_id: input.warehouse_id,
        stocked_quantity: input.quantity,
        reason: input.reason ?? 'correction',
        note: input.note,
        reference: input.reference,
      });
      break;
    } catch (err) {
      // created meanwhile by someone else: set it like any existing level
      if (!(err instanceof DomainError) || err.code !== 'CONFLICT') throw err;
    }
  }
  return 'applied';
}

async function skuItemId(actor: Actor, sku: string): Promise<{ iid: string }> {
  const iid = await itemIdBySku(actor.tenant, sku);
  if (!iid) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no inventory record`);
  return { iid };
}

export async function adjustments(actor: Actor, sku: string, q: z.output<typeof adjustmentsQuery>) {
  const { iid } = await skuItemId(actor, sku);
  const iso = (d?: string) => (d ? new Date(d).toISOString() : undefined);
  const from = iso(q.start_date);
  const to = iso(q.end_date);
  if (from && to && from > to) throw validation('end_date', 'must not be before start_date');
  if (q.warehouse_id && !sees(actor, q.warehouse_id)) return { data: [], meta: { total: 0, limit: q.limit, nextCursor: null } };
  const query = { limit: q.limit, cursor: q.cursor, from, to, warehouse_id: q.warehouse_id, warehouse_ids: actor.warehouseIds, reason: q.reason };
  const [{ rows, next }, total] = await Promise.all([queryLedger(actor.tenant, iid, query), countLedger(actor.tenant, iid, query)]);
  return { data: rows, meta: { total, limit: q.limit, nextCursor: next ?? null } };
}

export async function transfer(actor: Actor, sku: string, input: z.output<typeof transferBody>) {
  mayWrite(actor, input.from_warehouse_id, input.to_warehouse_id);
  const ctx = writeContext(actor);
  const { iid } = await skuItemId(actor, sku);
  const id = newId('trf');
  await transferStock(ctx, iid, {
    id,
    sku,
    from: input.from_warehouse_id,
    to: input.to_warehouse_id,
    quantity: input.quantity,
    note: input.note ?? null,
    reference: input.reference ?? null,
  });
  return {
    id,
    sku,
    from_warehouse_id: input.from_warehouse_id,
    to_warehouse_id: input.to_warehouse_id,
    quantity: input.quantity,
    note: input.note ?? null,
    created_by: actor.keyName,
    created_at: ctx.now,
    inventory: await getSku(actor, sku),
  };
}
