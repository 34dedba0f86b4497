/** Warehouses (the admin family's stock locations), their level-count shards, and the warehouse checks of level writes. */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, notFound } from '../core/errors.ts';
import type { Level, Warehouse } from '../core/model.ts';
import { db, RETRY, tableName, withRetry, writeItem, noteRef, transactOrCancelled, unlessConditionFails } from './db.ts';
import { copyOntoLevels, inboundOpen, levelDeleteActions, levelHasInbound } from './levels.ts';
import type { TxAction } from './db.ts';
import { newExpr, setFields, updateParams } from './expr.ts';
import { WarehouseEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { writeOffLedger } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import { queryPartition } from './query.ts';

const whNotFound = (wid: string) => notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');

/** A new warehouse, with its level-count shards (LEVEL_COUNT_SHARDS, below), in one transaction. */
export async function putWarehouse(tenant: string, w: Warehouse): Promise<void> {
  noteRef(w.id);
  const refused = await transactOrCancelled([
    {
      label: 'warehouse',
      item: {
        Put: { TableName: tableName(), Item: WarehouseEntity.row(tenant, w, { level_count: 0, ro_seq: 1 }), ConditionExpression: 'attribute_not_exists(PK)' },
      },
    },
    ...warehouseShardRows(tenant, w.id, w.is_readonly === true, 1).map(
      (Item, k): TxAction => ({ label: `shard:${k}`, item: { Put: { TableName: tableName(), Item, ConditionExpression: 'attribute_not_exists(PK)' } } }),
    ),
  ]);
  if (refused) throw new DomainError('CONFLICT', `Warehouse ${w.id} already exists`);
}

/**
 * The warehouse row and its level-count shards (none for a warehouse stored before them), and the
 * levels they count together.
 */
async function warehouseRows(tenant: string, wid: string): Promise<{ row?: Record<string, unknown>; shards: Record<string, unknown>[]; counted: number }> {
  const rows = await queryPartition(keys.warehousePartition(tenant, wid), { consistent: true });
  const row = rows.find((r) => r.SK === keys.warehouse(tenant, wid).SK);
  const shards = rows.filter((r) => String(r.SK).startsWith(keys.warehouseShardPrefix));
  return { row, shards, counted: [row, ...shards].reduce((n, r) => n + Number(r?.level_count ?? 0), 0) };
}

export async function getWarehouse(tenant: string, wid: string): Promise<Warehouse | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.warehouse(tenant, wid), ConsistentRead: true }));
  return res.Item ? strip<Warehouse>(res.Item) : undefined;
}

/** How many levels a warehouse holds (kept by every level create and delete, on its row and its shards). */
export async function levelCount(tenant: string, wid: string): Promise<number> {
  return (await warehouseRows(tenant, wid)).counted;
}

/** What hold planning needs of a warehouse: the index carries it (lib/table-definition.ts), no row is read. */
export type WarehouseSummary = Pick<Warehouse, 'id' | 'name' | 'type' | 'priority' | 'is_active'>;
export async function listWarehouseSummaries(tenant: string): Promise<WarehouseSummary[]> {
  const rows = await queryPartition(keys.warehousesPartition(tenant), { index: 'GSI1', projection: ['id', 'name', 'type', 'priority', 'is_active'] });
  return rows.map((r) => ({
    id: String(r.id),
    name: r.name as string,
    type: r.type as Warehouse['type'],
    priority: Number(r.priority ?? 0),
    is_active: r.is_active !== false,
  }));
}

export async function listWarehouses(tenant: string): Promise<Warehouse[]> {
  const rows = await queryPartition(keys.warehousesPartition(tenant), { index: 'GSI1' });
  return rows.map((r) => strip<Warehouse>(r));
}

/**
 * Partial update. A patch that sets is_readonly also raises the warehouse's ro_seq and then copies
 * the flag onto every level of the warehouse (fanOutReadonly) before it returns: stock writes check
 * the level's copy, not the warehouse row.
 */
export async function updateWarehouse(tenant: string, wid: string, patch: Partial<Warehouse>): Promise<Warehouse> {
  const toggles = patch.is_readonly !== undefined;
  const params = updateParams(setFields(newExpr(), patch));
  if (!toggles) {
    const res = await unlessConditionFails(() =>
      writeItem({
        Update: { TableName: tableName(), Key: keys.warehouse(tenant, wid), ...params, ConditionExpression: 'attribute_exists(PK)' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!res) throw whNotFound(wid);
    return strip<Warehouse>(res.Attributes!);
  }
  // the row and every shard take the flag and one more ro_seq together: a level creation checking its
  // shard sees the toggle or commits before it (and the fan-out below reaches its level)
  params.UpdateExpression += ' ADD #ro_seq :one';
  params.ExpressionAttributeNames['#ro_seq'] = 'ro_seq';
  params.ExpressionAttributeValues[':one'] = 1;
  const { shards } = await warehouseRows(tenant, wid);
  const refused = await transactOrCancelled([
    {
      label: 'warehouse',
      item: { Update: { TableName: tableName(), Key: keys.warehouse(tenant, wid), ...params, ConditionExpression: 'attribute_exists(PK)' } },
    },
    ...shards.map(
      (r): TxAction => ({
        label: `shard:${r.SK}`,
        item: {
          Update: {
            TableName: tableName(),
            Key: { PK: r.PK, SK: r.SK },
            UpdateExpression: 'SET is_readonly = :ro ADD ro_seq :one',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':ro': patch.is_readonly === true, ':one': 1 },
          },
        },
      }),
    ),
  ]);
  if (refused) throw whNotFound(wid);
  const row = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.warehouse(tenant, wid), ConsistentRead: true }))).Item;
  if (!row) throw whNotFound(wid);
  await fanOutReadonly(tenant, wid, row.is_readonly === true, Number(row.ro_seq));
  return strip<Warehouse>(row);
}

/**
 * Copy a warehouse's read-only flag onto its levels (GSI1 `T#t#LOC#<wid>`, every page): per level a
 * conditional UpdateItem `SET wh_readonly, wh_ro_seq IF wh_ro_seq < seq` (or none yet), so a fan-out
 * of an older toggle arriving late never overwrites a newer one, and running it twice changes
 * nothing. The PATCH runs it before answering; the stream consumer runs it again for every toggle
 * it sees (a crash mid fan-out, a level the index did not show yet). Returns the levels it moved.
 */
export async function fanOutReadonly(tenant: string, wid: string, readonly: boolean, seq: number): Promise<number> {
  const levels = await queryPartition(keys.levelsAtLocation(tenant, wid), { index: 'GSI1', projection: ['PK', 'SK', 'wh_ro_seq'] });
  return copyOntoLevels(levels, 'wh_ro_seq', seq, { wh_readonly: readonly });
}

const whInUse = (wid: string) => new DomainError('CONFLICT', `Stock location ${wid} still holds stock or reservations: move or release them first`);

/**
 * Delete a warehouse and its empty levels. Guards in the write: each level still holds no stock
 * and no reservation, and the warehouse's level count equals the levels removed (no level was
 * added meanwhile).
 */
export async function deleteWarehouse(ctx: WriteContext, wid: string): Promise<void> {
  const { tenant } = ctx;
  await withRetry(async () => {
    const { row, shards, counted } = await warehouseRows(tenant, wid);
    if (!row) throw whNotFound(wid);
    const levelKeys = await queryPartition(keys.levelsAtLocation(tenant, wid), { index: 'GSI1' });
    const levels = levelKeys.map((r) => strip<Level>(r));
    if (levels.some((l) => l.stocked_quantity > 0 || l.reserved_quantity > 0)) throw whInUse(wid);
    const most = 98 - shards.length;
    if (levels.length > most) {
      throw new DomainError('CONFLICT', `Stock location ${wid} has ${levels.length} levels; delete them first (at most ${most} go with it)`);
    }
    // the counts on the row and its shards add up to the levels removed, and none moves before the
    // delete (no level was added meanwhile); the index may lag a new level: then they differ, retry
    if (counted !== levels.length) return RETRY;
    const actions: TxAction[] = [
      ...[row, ...shards].map(
        (r): TxAction => ({
          label: r === row ? 'warehouse' : `shard:${r.SK}`,
          item: {
            Delete: {
              TableName: tableName(),
              Key: { PK: r.PK, SK: r.SK },
              ConditionExpression: 'level_count = :n',
              ExpressionAttributeValues: { ':n': Number(r.level_count ?? 0) },
            },
          },
        }),
      ),
      // each level empty (a hot one goes with its shards: the door, store/levels.ts)
      ...(
        await Promise.all(
          levels.map((l) =>
            levelDeleteActions(tenant, l, ctx.now, `level:${l.inventory_item_id}`, {
              condition: 'stocked_quantity = :zero AND reserved_quantity = :zero AND incoming_quantity = :inc',
              values: { ':zero': 0, ':inc': l.incoming_quantity },
            }),
          ),
        )
      ).flat(),
      ...levels.flatMap((l) => writeOffLedger(ctx, l)),
    ];
    if (actions.length > 99) {
      // hot levels bring their shards into the transaction
      throw new DomainError('CONFLICT', `Stock location ${wid} has ${levels.length} levels (with their shards) to delete at once; delete them first`);
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    for (const [label, old] of refused.failed) {
      if (label.startsWith('level:') && old && (Number(old.stocked_quantity) > 0 || Number(old.reserved_quantity) > 0)) throw whInUse(wid);
      if (label.startsWith('level:') && inboundOpen(old) > 0) throw levelHasInbound(wid, inboundOpen(old));
    }
    return RETRY;
  });
}

/**
 * A warehouse counts its levels on 16 level-count shard rows (`T#t#WH#<wid>` / `LC#00`..`LC#15`,
 * written with the warehouse), not on its own row: a level creation updates the one shard of its
 * item, so creations of different SKUs at one warehouse share a row only when their items hash to
 * the same shard (1 in 16), where the warehouse row made every one of them conflict. Each shard also
 * carries the warehouse's is_readonly and ro_seq, changed with the warehouse's in one transaction,
 * so the shard is all a creation needs to check. A warehouse stored before the shards has none: its
 * row keeps counting (and the shard read falls back to it).
 */
export const LEVEL_COUNT_SHARDS = 16;
export const levelCountShard = (iid: string) => createHash('sha256').update(iid).digest().readUInt32BE(0) % LEVEL_COUNT_SHARDS;

/** The shard rows a new warehouse is written with. */
export const warehouseShardRows = (tenant: string, wid: string, readonly: boolean, roSeq: number) =>
  Array.from({ length: LEVEL_COUNT_SHARDS }, (_, k) => ({
    ...keys.warehouseShard(tenant, wid, k),
    entity: 'warehouse-shard',
    level_count: 0,
    is_readonly: readonly,
    ro_seq: roSeq,
  }));

/**
 * A warehouse's read-only flag and its sequence (ro_seq, 0 for a warehouse stored without one) as the
 * row that counts the item's level there holds them: its shard, or (stored before the shards, or
 * without an item) the warehouse row. Undefined if the warehouse does not exist.
 */
export async function warehouseFlag(tenant: string, wid: string, iid?: string): Promise<WarehouseFlag | undefined> {
  const read = async (key: { PK: string; SK: string }) =>
    (await db().send(new GetCommand({ TableName: tableName(), Key: key, ProjectionExpression: 'is_readonly, ro_seq', ConsistentRead: true }))).Item;
  const shard = iid === undefined ? undefined : keys.warehouseShard(tenant, wid, levelCountShard(iid));
  const fromShard = shard && (await read(shard));
  if (shard && fromShard) return { readonly: fromShard.is_readonly === true, seq: Number(fromShard.ro_seq ?? 0), counter: shard };
  const row = await read(keys.warehouse(tenant, wid));
  return row ? { readonly: row.is_readonly === true, seq: Number(row.ro_seq ?? 0), counter: keys.warehouse(tenant, wid) } : undefined;
}

export interface WarehouseFlag {
  readonly: boolean;
  seq: number;
  /** The row that counts the level and holds this flag: the item's shard, or the warehouse row. */
  counter: { PK: string; SK: string };
}

/** The row that counted the item's level at the warehouse (for a level removed with it). */
export async function levelCounter(tenant: string, wid: string, iid: string): Promise<{ PK: string; SK: string }> {
  return (await warehouseFlag(tenant, wid, iid))?.counter ?? keys.warehouse(tenant, wid);
}

/**
 * Keeps the warehouse's level count true (on `counter`: the level's shard, or the warehouse row), so
 * a warehouse can only be deleted with no levels left. With `flag` (a level creation), the counter
 * is the flag's row, and its read-only flag is still the one the new level copies (its ro_seq has
 * not moved since it was read).
 */
export function warehouseLevelCount(
  counter: { PK: string; SK: string },
  delta: number,
  opts: { mustBeWritable?: boolean; label?: string; flag?: WarehouseFlag } = {},
): TxAction {
  const values: Record<string, unknown> = { ':d': delta };
  let condition = 'attribute_exists(PK)';
  if (opts.mustBeWritable) {
    values[':false'] = false;
    condition += ' AND is_readonly = :false';
  }
  if (opts.flag) {
    if (opts.flag.seq) {
      values[':rs'] = opts.flag.seq;
      condition += ' AND ro_seq = :rs';
    } else condition += ' AND attribute_not_exists(ro_seq)';
  }
  return {
    label: opts.label ?? 'warehouse',
    item: {
      Update: {
        TableName: tableName(),
        Key: counter,
        UpdateExpression: 'ADD level_count :d',
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      },
    },
  };
}
