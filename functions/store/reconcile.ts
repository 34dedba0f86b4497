/**
 * Reconcile's reads and repairs. Reads walk indexes, never a Scan: the tenant's items (GSI1
 * `T#t#ITEMS`), each item's partition (item + levels), the open reservations (GSI1 `T#t#RES#0..15`
 * and the legacy `T#t#RES`), each item's ledger partition. Repairs are guarded writes: the level is
 * still exactly as read.
 */
import type { Level } from '../core/model.ts';
import { transactOrCancelled } from './db.ts';
import { levelStockIs, repairReserved } from './levels.ts';
import * as keys from './key-builders.ts';
import { ledgerPut } from './ledger.ts';
import { queryAll, queryShards } from './query.ts';

/** Σ quantity of the open reservations per `<iid> <wid>` (one item's, or the tenant's). */
export async function openReservedByLevel(tenant: string, iid?: string): Promise<{ sums: Map<string, number>; count: number }> {
  // every shard of the index and the legacy unsharded partition (key-builders.ts)
  const rows = await queryShards(keys.reservationsPartitions(tenant), {
    index: 'GSI1',
    ...(iid ? { skPrefix: `${iid}#` } : {}),
    projection: ['inventory_item_id', 'location_id', 'quantity'],
  });
  const sums = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.inventory_item_id} ${r.location_id}`;
    sums.set(k, (sums.get(k) ?? 0) + Number(r.quantity));
  }
  return { sums, count: rows.length };
}

/** Σ delta of stocked_quantity in the item's ledger, per warehouse. */
export async function ledgerSums(tenant: string, iid: string): Promise<Map<string, number>> {
  const rows = await queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.ledgerPartition(tenant, iid), ':f': 'stocked_quantity' },
    FilterExpression: '#field = :f',
    ExpressionAttributeNames: { '#field': 'field', '#w': 'warehouse_id', '#d': 'delta' },
    ProjectionExpression: '#w, #d',
    ConsistentRead: true,
  });
  const out = new Map<string, number>();
  for (const r of rows) out.set(String(r.warehouse_id), (out.get(String(r.warehouse_id)) ?? 0) + Number(r.delta));
  return out;
}

/**
 * reserved := the reservations' sum (read from the index after `indexReadAt`), available := stocked −
 * reserved − safety stock, only if the level still holds exactly what was read and was quiet long
 * enough for the index to hold every reservation it counts (the door: store/levels.ts repairReserved).
 */
export function repairLevel(tenant: string, l: Level, reserved: number, now: string, indexReadAt: string): Promise<'repaired' | 'moved' | 'recent'> {
  return repairReserved(tenant, l, reserved, now, indexReadAt);
}

/** The ledger is brought to the level's stocked quantity by a `reconcile` row, while stocked is still what was read. */
export async function repairLedger(ctx: { tenant: string; by: string; now: string }, l: Level, version: number, ledgerSum: number): Promise<boolean> {
  const refused = await transactOrCancelled([
    levelStockIs(ctx.tenant, l, version),
    ledgerPut({
      tenant: ctx.tenant,
      sku: l.sku,
      inventory_item_id: l.inventory_item_id,
      warehouse_id: l.location_id,
      field: 'stocked_quantity',
      before: ledgerSum,
      after: l.stocked_quantity,
      reason: 'reconcile',
      note: 'the ledger did not add up to the stocked quantity',
      created_by: ctx.by,
      at: ctx.now,
    }),
  ]);
  return !refused;
}
