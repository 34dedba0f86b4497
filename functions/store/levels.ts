/**
 * Location levels and every write that changes stocked / incoming quantities.
 * Each write keeps `available_quantity = stocked − reserved − safety_stock` true in the same
 * expression, and puts its ledger rows in the same transaction.
 */
import { DomainError, negativeQuantity, notFound, quantityMismatch, quantityTooLarge, readonlyWarehouse } from '../core/errors.ts';
import { MAX_QUANTITY } from '../core/model.ts';
import type { AdjustmentReason, Level } from '../core/model.ts';
import { RETRY, tableName, withRetry, withoutClaim, transactOrCancelled } from './db.ts';
import type { TxAction, Cancellation } from './db.ts';
import { addTo, newExpr, setFields, updateParams } from './expr.ts';
import { levelBirth, loadItem, requireItem } from './items.ts';
import { pullParked, setHotShards } from './hot.ts';
import type { LevelPolicy } from './items.ts';
import { LEVEL_WRITABLE, levelCounter, levelFlag, levelReadonly, warehouseFlag, warehouseLevelCount } from './locations.ts';
import type { WarehouseFlag } from './locations.ts';
import { LevelEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { ledgerPut, writeOffLedger } from './ledger.ts';
import type { WriteContext } from './ledger.ts';

/** What a caller may set on a level, at creation or later. */
export interface LevelFields {
  stocked_quantity?: number;
  incoming_quantity?: number;
  safety_stock?: number;
  reorder_level?: number;
  reorder_quantity?: number;
  bin_location?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface NewLevel extends LevelFields {
  location_id: string;
  /** Ledger reason of the stock the level starts with (default `initial`). */
  reason?: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  /** The item must belong to this product (or to none), checked in the level's transaction (records family). */
  product_id?: string;
}

/** The item found by sku belongs to another product (records family). */
export const otherProduct = (sku: string, owner: unknown, productId: string) =>
  new DomainError('CONFLICT', `SKU ${sku} is the inventory item of product ${String(owner)}, not ${productId}: give this product a skuId of its own`);

const levelNotFound = (iid: string, wid: string) =>
  new DomainError('NOT_FOUND', `Item ${iid} is not stocked at location ${wid}`);

/**
 * A level creation's warehouse guard failed: gone (no old image), read-only while stock arrives, or
 * its read-only flag moved since the level copied it (RETRY).
 */
function warehouseFailure(refused: Cancellation, wid: string, flag: WarehouseFlag, mustBeWritable: boolean, label = 'warehouse'): DomainError | typeof RETRY | undefined {
  if (!refused.failed.has(label)) return undefined;
  const old = refused.failed.get(label);
  if (!old) return notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
  if (mustBeWritable && old.is_readonly === true && Number(old.ro_seq ?? 0) === flag.seq) return readonlyWarehouse(wid);
  return RETRY;
}

/**
 * A new level's row with every index key it belongs under; `version` and the item's policy come
 * from levelBirth (items.ts), the warehouse's read-only flag from warehouseFlag.
 */
export function levelRow(tenant: string, level: Level, version = 1, copies: { policy?: LevelPolicy; flag?: WarehouseFlag } = {}): Record<string, unknown> {
  return LevelEntity.row(tenant, level, { version, ...(copies.policy ?? {}), ...(copies.flag ? levelFlag(copies.flag) : {}) });
}

/**
 * The level is gone: its warehouse went with it (WAREHOUSE_NOT_FOUND), or only the level did. A read
 * for the error's code alone; the guard was the write's.
 */
export async function levelGone(tenant: string, iid: string, wid: string): Promise<DomainError> {
  return (await warehouseFlag(tenant, wid)) ? levelNotFound(iid, wid) : notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
}

/** Level ids are derived from the item and the location, so a record id (records family) finds its level. */
export const levelId = (iid: string, wid: string) => `ilev_${iid}:${wid}`;
export function parseLevelId(id: string): { iid: string; wid: string } | undefined {
  const m = /^ilev_([^:]+):(.+)$/.exec(id);
  return m ? { iid: m[1], wid: m[2] } : undefined;
}

export async function createLevel(ctx: WriteContext, iid: string, input: NewLevel): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const wid = input.location_id;
    const stocked = input.stocked_quantity ?? 0;
    const incoming = input.incoming_quantity ?? 0;
    const safety = input.safety_stock ?? 0;
    const rec = await requireItem(tenant, iid);
    const level: Level = {
      id: levelId(iid, wid),
      inventory_item_id: iid,
      location_id: wid,
      sku: rec.item.sku,
      stocked_quantity: stocked,
      reserved_quantity: 0,
      incoming_quantity: incoming,
      safety_stock: safety,
      available_quantity: stocked - safety,
      reorder_level: input.reorder_level ?? 0,
      reorder_quantity: input.reorder_quantity ?? 0,
      bin_location: input.bin_location ?? null,
      metadata: input.metadata ?? null,
      created_at: now,
      updated_at: now,
    };
    // the item still exists with this sku, and this creation takes the next level_seq (and with it
    // versions no earlier level of this item and warehouse had)
    if (input.product_id && rec.item.product_id && rec.item.product_id !== input.product_id) {
      throw otherProduct(rec.item.sku ?? iid, rec.item.product_id, input.product_id);
    }
    const birth = levelBirth(tenant, rec, { productId: input.product_id });
    const flag = await warehouseFlag(tenant, wid, iid);
    if (!flag) throw notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
    const mustBeWritable = stocked > 0 || incoming > 0;
    const actions: TxAction[] = [
      {
        label: 'level',
        item: {
          Put: {
            TableName: tableName(),
            Item: levelRow(tenant, level, birth.version, { policy: birth.policy, flag }),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      birth.action,
      // the warehouse must exist (and be writable if stock arrives with the level), its read-only flag
      // is the one the level copies; it counts its levels
      warehouseLevelCount(flag.counter, 1, { mustBeWritable, flag }),
    ];
    const ledger = { tenant, sku: rec.item.sku, inventory_item_id: iid, warehouse_id: wid, before: 0, reason: input.reason ?? 'initial', note: input.note, reference: input.reference, created_by: ctx.by, at: now };
    if (stocked > 0) actions.push(ledgerPut({ ...ledger, field: 'stocked_quantity', after: stocked }));
    if (incoming > 0) actions.push(ledgerPut({ ...ledger, field: 'incoming_quantity', after: incoming }));
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const f = refused.failed;
    if (f.has('item')) {
      const old = f.get('item');
      if (!old) throw notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
      if (input.product_id && old.product_id && old.product_id !== input.product_id) throw otherProduct(String(old.sku ?? iid), old.product_id, input.product_id);
      return RETRY;
    }
    const wh = warehouseFailure(refused, wid, flag, mustBeWritable);
    if (wh === RETRY) return RETRY;
    if (wh) throw wh;
    if (f.has('level')) throw new DomainError('CONFLICT', `Item ${iid} is already stocked at location ${wid}`);
    return RETRY;
  });
}

export interface LevelChange extends LevelFields {
  /** Relative change of stocked_quantity (the adjust endpoint); exclusive with stocked_quantity. */
  adjustment?: number;
  reason?: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  /** Compare-and-set: the write applies only while stocked_quantity equals this. */
  expected_quantity?: number;
  /** Hot mode's shard count (0: off), set before the other fields (store/hot.ts). */
  hot_shards?: number;
}

/**
 * Absolute set or relative adjustment of one level, with its ledger rows, in one transaction.
 * `before` comes from a read; the write is conditioned on the level's version, so it applies
 * to exactly the state it was computed from (retried when the version moved).
 */
export async function changeLevel(ctx: WriteContext, iid: string, wid: string, change: LevelChange): Promise<void> {
  const { tenant, now } = ctx;
  if (change.hot_shards !== undefined) {
    // its own transaction (every parked unit back on the level, the new count); idempotent, so the
    // request's claim goes with the level write below, and a retried request sets the same count
    const done = await withoutClaim(() => setHotShards(tenant, iid, wid, change.hot_shards!, now));
    if (done === 'no-level') throw (await loadItem(tenant, iid)) ? levelNotFound(iid, wid) : notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
  }
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const level = rec.levels.find((l) => l.location_id === wid);
    if (!level) throw levelNotFound(iid, wid);
    const version = rec.levelVersions[wid];
    if (change.expected_quantity !== undefined && change.expected_quantity !== level.stocked_quantity) {
      throw quantityMismatch(change.expected_quantity, level.stocked_quantity);
    }
    const stocked =
      change.adjustment !== undefined ? level.stocked_quantity + change.adjustment : (change.stocked_quantity ?? level.stocked_quantity);
    const incoming = change.incoming_quantity ?? level.incoming_quantity;
    const safety = change.safety_stock ?? level.safety_stock;
    const stockedDelta = stocked - level.stocked_quantity;
    if (change.adjustment !== undefined && stocked > MAX_QUANTITY) {
      throw quantityTooLarge('adjustment', level.stocked_quantity, change.adjustment, MAX_QUANTITY);
    }
    const availableDelta = stockedDelta - (safety - level.safety_stock);

    const e = setFields(newExpr(), {
      stocked_quantity: stocked,
      incoming_quantity: incoming,
      safety_stock: safety,
      reorder_level: change.reorder_level,
      reorder_quantity: change.reorder_quantity,
      bin_location: change.bin_location,
      metadata: change.metadata,
      updated_at: now,
      version: version + 1,
    });
    // a hot level's parked units come back in this write when it lowers available (store/hot.ts)
    const hot = await pullParked(tenant, level, availableDelta < 0, now);
    // available moves by a relative amount, so concurrent reservations (which do not bump
    // the version) compose with this write instead of being overwritten
    addTo(e, 'available_quantity', availableDelta + hot.pulled);
    if (hot.pulled) addTo(e, 'reserved_quantity', -hot.pulled);
    e.values[':seen'] = version;
    let condition = 'version = :seen';
    if (stockedDelta < 0) {
      // invariant: stocked_quantity never goes below zero
      e.values[':min_stocked'] = -stockedDelta;
      condition += ' AND stocked_quantity >= :min_stocked';
    }
    if (stockedDelta > 0) {
      // invariant: stocked_quantity never exceeds MAX_QUANTITY, relative writes included
      e.values[':max_before'] = MAX_QUANTITY - stockedDelta;
      condition += ' AND stocked_quantity <= :max_before';
    }
    if (change.expected_quantity !== undefined) {
      // compare-and-set: the stocked quantity the caller expects is the one being replaced
      e.values[':expected'] = change.expected_quantity;
      condition += ' AND stocked_quantity = :expected';
    }
    const quantityChanged = stocked !== level.stocked_quantity || incoming !== level.incoming_quantity;
    if (quantityChanged) {
      // read-only warehouses (e.g. FBA) take no stock writes; checked in the write, on the level's copy of the flag
      e.values[':false'] = false;
      condition += ` AND ${LEVEL_WRITABLE}`;
    }
    const actions: TxAction[] = [
      {
        label: 'level',
        item: { Update: { TableName: tableName(), Key: keys.level(tenant, iid, wid), ...updateParams(e), ConditionExpression: condition } },
      },
      ...hot.actions,
    ];
    const base = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: iid,
      warehouse_id: wid,
      reason: change.reason ?? 'correction',
      note: change.note,
      reference: change.reference,
      created_by: ctx.by,
      at: now,
    };
    if (stocked !== level.stocked_quantity)
      actions.push(ledgerPut({ ...base, field: 'stocked_quantity', before: level.stocked_quantity, after: stocked }));
    if (incoming !== level.incoming_quantity)
      actions.push(ledgerPut({ ...base, field: 'incoming_quantity', before: level.incoming_quantity, after: incoming }));
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const f = refused.failed;
    const old = f.get('level');
    if (f.has('level') && !old) throw await levelGone(tenant, iid, wid);
    if (quantityChanged && levelReadonly(old)) throw readonlyWarehouse(wid);
    if (old && old.version === version && stocked < 0) {
      throw negativeQuantity('stocked_quantity', Number(old.stocked_quantity), stockedDelta);
    }
    if (old && old.version === version && stocked > MAX_QUANTITY) {
      throw quantityTooLarge('adjustment', Number(old.stocked_quantity), stockedDelta, MAX_QUANTITY);
    }
    if (old && old.version === version && change.expected_quantity !== undefined) {
      throw quantityMismatch(change.expected_quantity, Number(old.stocked_quantity));
    }
    return RETRY;
  });
}

/** Remove a level. Guard: nothing reserved there at the moment of the write. Remaining stock is written off in the ledger. */
export async function deleteLevel(ctx: WriteContext, iid: string, wid: string): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const level = rec.levels.find((l) => l.location_id === wid);
    if (!level) throw levelNotFound(iid, wid);
    if (level.reserved_quantity > 0) throw levelHasReservations(iid, wid);
    if (level.hot_shards) {
      // hot mode off first: the parked units back on the level, the shards deleted (then read again)
      await withoutClaim(() => setHotShards(tenant, iid, wid, 0, now));
      return RETRY;
    }
    const actions: TxAction[] = [
      {
        label: 'level',
        item: {
          Delete: {
            TableName: tableName(),
            Key: keys.level(tenant, iid, wid),
            ConditionExpression: 'version = :seen AND reserved_quantity = :zero',
            ExpressionAttributeValues: { ':seen': rec.levelVersions[wid], ':zero': 0 },
          },
        },
      },
      warehouseLevelCount(await levelCounter(tenant, wid, iid), -1),
      ...writeOffLedger(ctx, level),
    ];
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const old = refused.failed.get('level');
    if (refused.failed.has('level') && !old) throw levelNotFound(iid, wid);
    if (old && Number(old.reserved_quantity) > 0) throw levelHasReservations(iid, wid);
    return RETRY;
  });
}

const levelHasReservations = (iid: string, wid: string) =>
  new DomainError('CONFLICT', `Item ${iid} has open reservations at location ${wid}: release or fulfil them first`);
