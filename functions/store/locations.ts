/** Warehouses (the admin family's stock locations). */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, notFound } from '../core/errors.ts';
import type { Level, Warehouse } from '../core/model.ts';
import { db, RETRY, tableName, transact, TxCancelled, withRetry, writeItem, noteRef } from './db.ts';
import type { TxAction } from './db.ts';
import { newExpr, setFields, updateParams } from './expr.ts';
import { keys, strip } from './keys.ts';
import { writeOffLedger } from './levels.ts';
import type { WriteContext } from './levels.ts';
import { queryPartition } from './query.ts';

const whNotFound = (wid: string) => notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');

export async function putWarehouse(tenant: string, w: Warehouse): Promise<void> {
  noteRef(w.id);
  try {
    await writeItem({
      Put: {
        TableName: tableName(),
        Item: { ...keys.warehouse(tenant, w.id), ...keys.warehouseIndex(tenant, w.id), entity: 'warehouse', ...w, level_count: 0 },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') throw new DomainError('CONFLICT', `Warehouse ${w.id} already exists`);
    throw err;
  }
}

export async function getWarehouse(tenant: string, wid: string): Promise<Warehouse | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.warehouse(tenant, wid), ConsistentRead: true }));
  return res.Item ? strip<Warehouse>(res.Item) : undefined;
}

/** How many levels a warehouse holds (kept by every level create and delete). */
export async function levelCount(tenant: string, wid: string): Promise<number> {
  const res = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.warehouse(tenant, wid), ProjectionExpression: 'level_count', ConsistentRead: true }),
  );
  return Number(res.Item?.level_count ?? 0);
}

export async function listWarehouses(tenant: string): Promise<Warehouse[]> {
  const rows = await queryPartition(keys.warehousesPartition(tenant), { index: 'GSI1' });
  return rows.map((r) => strip<Warehouse>(r));
}

export async function updateWarehouse(tenant: string, wid: string, patch: Partial<Warehouse>): Promise<Warehouse> {
  try {
    const res = await writeItem({
      Update: {
        TableName: tableName(),
        Key: keys.warehouse(tenant, wid),
        ...updateParams(setFields(newExpr(), patch)),
        ConditionExpression: 'attribute_exists(PK)',
      },
      ReturnValues: 'ALL_NEW',
    });
    return strip<Warehouse>(res.Attributes!);
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') throw whNotFound(wid);
    throw err;
  }
}

const whInUse = (wid: string) =>
  new DomainError('CONFLICT', `Stock location ${wid} still holds stock or reservations: move or release them first`);

/**
 * Delete a warehouse and its empty levels. Guards in the write: each level still holds no stock
 * and no reservation, and the warehouse's level count equals the levels removed (no level was
 * added meanwhile).
 */
export async function deleteWarehouse(ctx: WriteContext, wid: string): Promise<void> {
  const { tenant } = ctx;
  await withRetry(async () => {
    const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.warehouse(tenant, wid), ConsistentRead: true }));
    if (!res.Item) throw whNotFound(wid);
    const levelKeys = await queryPartition(keys.levelsAtLocation(tenant, wid), { index: 'GSI1' });
    const levels = levelKeys.map((r) => strip<Level>(r));
    if (levels.some((l) => l.stocked_quantity > 0 || l.reserved_quantity > 0)) throw whInUse(wid);
    if (levels.length > 98) {
      throw new DomainError('CONFLICT', `Stock location ${wid} has ${levels.length} levels; delete them first (at most 98 go with it)`);
    }
    const actions: TxAction[] = [
      {
        label: 'warehouse',
        item: {
          Delete: {
            TableName: tableName(),
            Key: keys.warehouse(tenant, wid),
            ConditionExpression: 'level_count = :n',
            ExpressionAttributeValues: { ':n': levels.length },
          },
        },
      },
      ...levels.map(
        (l): TxAction => ({
          label: `level:${l.inventory_item_id}`,
          item: {
            Delete: {
              TableName: tableName(),
              Key: keys.level(tenant, l.inventory_item_id, wid),
              ConditionExpression: 'stocked_quantity = :zero AND reserved_quantity = :zero AND incoming_quantity = :inc',
              ExpressionAttributeValues: { ':zero': 0, ':inc': l.incoming_quantity },
            },
          },
        }),
      ),
      ...levels.flatMap((l) => writeOffLedger(ctx, l)),
    ];
    try {
      await transact(actions);
      return true;
    } catch (err) {
      if (!(err instanceof TxCancelled)) throw err;
      for (const [label, old] of err.cancellation.failed) {
        if (label.startsWith('level:') && old && (Number(old.stocked_quantity) > 0 || Number(old.reserved_quantity) > 0)) throw whInUse(wid);
      }
      return RETRY;
    }
  });
}
