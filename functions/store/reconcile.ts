/**
 * Reconcile's reads and repairs. Reads walk indexes, never a Scan: the tenant's items (GSI1
 * `T#t#ITEMS`), each item's partition (item + levels), the open reservations (GSI1 `T#t#RES#0..15`
 * and the legacy `T#t#RES`), each item's ledger partition. Repairs are guarded writes: the level is
 * still exactly as read.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Level } from '../core/model.ts';
import { db, tableName, unlessConditionFails, transactOrCancelled } from './db.ts';
import type { TxAction } from './db.ts';
import { exactLevelRow, readHot } from './hot.ts';
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
 * reserved := the reservations' sum, available := stocked − reserved − safety stock, only if the
 * level still holds exactly what was read (any reservation or stock write meanwhile moves one of them).
 */
export async function repairLevel(tenant: string, l: Level, reserved: number, now: string): Promise<boolean> {
  if (l.hot_shards) return repairHotLevel(tenant, l, reserved, now);
  return (await unlessConditionFails(() =>
    db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(tenant, l.inventory_item_id, l.location_id),
      UpdateExpression: 'SET reserved_quantity = :r, available_quantity = :a, updated_at = :now',
      ConditionExpression: 'reserved_quantity = :sr AND available_quantity = :sa AND stocked_quantity = :st AND safety_stock = :ss',
      ExpressionAttributeValues: {
        ':r': reserved,
        ':a': l.stocked_quantity - reserved - l.safety_stock,
        ':now': now,
        ':sr': l.reserved_quantity,
        ':sa': l.available_quantity,
        ':st': l.stocked_quantity,
        ':ss': l.safety_stock,
      },
    }),
  ),
  )) !== undefined;
}

/**
 * The same repair at a hot level (store/hot.ts): `l` shows its exact figures, the level row holds
 * the parked units in reserved too; so the row gets `reserved := sum + parked`, in a transaction that
 * checks the level and every shard are still exactly as one snapshot showed them.
 */
async function repairHotLevel(tenant: string, l: Level, reserved: number, now: string): Promise<boolean> {
  const s = await readHot(tenant, l.inventory_item_id, l.location_id, l.hot_shards ?? 0);
  if (!s) return false;
  const exact = exactLevelRow(s);
  if (Number(exact.reserved_quantity) !== l.reserved_quantity || Number(exact.stocked_quantity) !== l.stocked_quantity) return false; // moved since read
  const raw = s.level;
  const rawReserved = reserved + s.parked;
  const refused = await transactOrCancelled([
    {
      label: 'level',
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.level(tenant, l.inventory_item_id, l.location_id),
          UpdateExpression: 'SET reserved_quantity = :r, available_quantity = :a, updated_at = :now',
          ConditionExpression: 'reserved_quantity = :sr AND available_quantity = :sa AND stocked_quantity = :st AND safety_stock = :ss AND hot_shards = :n',
          ExpressionAttributeValues: {
            ':r': rawReserved,
            ':a': Number(raw.stocked_quantity) - rawReserved - Number(raw.safety_stock),
            ':now': now,
            ':sr': raw.reserved_quantity,
            ':sa': raw.available_quantity,
            ':st': raw.stocked_quantity,
            ':ss': raw.safety_stock,
            ':n': s.n,
          },
        },
      },
    },
    ...s.allots.map(
      (a, k): TxAction => ({
        label: `shard:${k}`,
        item: {
          ConditionCheck: {
            TableName: tableName(),
            Key: keys.hotShard(tenant, l.inventory_item_id, l.location_id, k),
            ConditionExpression: a === 0 ? 'attribute_not_exists(allot) OR allot = :a' : 'allot = :a',
            ExpressionAttributeValues: { ':a': a },
          },
        },
      }),
    ),
  ]);
  return !refused;
}

/** The ledger is brought to the level's stocked quantity by a `reconcile` row, while stocked is still what was read. */
export async function repairLedger(ctx: { tenant: string; by: string; now: string }, l: Level, version: number, ledgerSum: number): Promise<boolean> {
  const refused = await transactOrCancelled([
    {
      label: 'level',
      item: {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.level(ctx.tenant, l.inventory_item_id, l.location_id),
          ConditionExpression: 'version = :v AND stocked_quantity = :st',
          ExpressionAttributeValues: { ':v': version, ':st': l.stocked_quantity },
        },
      },
    },
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
