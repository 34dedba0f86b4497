/**
 * Stock writes of the inventory family that touch several levels at once: transfers (one
 * transaction, two levels, two ledger rows) and bulk chunks (up to 100 actions per transaction).
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DomainError, insufficientStock, notFound, quantityTooLarge, readonlyWarehouse } from '../core/errors.ts';
import { MAX_QUANTITY } from '../core/model.ts';
import type { AdjustmentReason, Level, Warehouse } from '../core/model.ts';
import { db, RETRY, tableName, transact, TxCancelled, withRetry } from './db.ts';
import type { TxAction } from './db.ts';
import type { WarehouseFlag } from './items.ts';
import { LEVEL_WRITABLE, levelBirth, levelReadonly, requireItem, warehouseFlag, warehouseLevelCount } from './items.ts';
import { keys, strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { levelGone, levelId, levelRow } from './levels.ts';
import type { WriteContext } from './levels.ts';

/** A failed level of a stock write: its warehouse is read-only (the level's copy of the flag says so). */
function readonlyProblem(err: TxCancelled, label: string, wid: string): DomainError | undefined {
  return levelReadonly(err.cancellation.failed.get(label)) ? readonlyWarehouse(wid) : undefined;
}

/**
 * `SET stocked = after, available += Δ` on the exact version read, at a level whose warehouse takes
 * stock writes (the level's own copy of the read-only flag: no warehouse row in the transaction).
 */
export function setStocked(
  tenant: string,
  l: Level,
  version: number,
  after: number,
  now: string,
  label: string,
  guard: { condition: string; values: Record<string, unknown> } = { condition: '', values: {} },
): TxAction {
  const values: Record<string, unknown> = { ':after': after, ':d': after - l.stocked_quantity, ':seen': version, ':next': version + 1, ':now': now, ':false': false, ...guard.values };
  const extra = guard.condition;
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.level(tenant, l.inventory_item_id, l.location_id),
        UpdateExpression: 'SET stocked_quantity = :after, available_quantity = available_quantity + :d, version = :next, updated_at = :now',
        ConditionExpression: `version = :seen AND ${LEVEL_WRITABLE}${extra}`,
        ExpressionAttributeValues: values,
      },
    },
  };
}

export interface Transfer {
  id: string;
  sku: string;
  from: string;
  to: string;
  quantity: number;
  note: string | null;
  reference: string | null;
}

/**
 * Move stock between two warehouses of one item in one transaction. Guards: the source level's
 * available quantity covers the move (reserved stock stays put), both warehouses exist and take
 * writes, both levels are the versions read. The destination level is created if missing.
 */
export async function transferStock(ctx: WriteContext, iid: string, t: Transfer): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const src = rec.levels.find((l) => l.location_id === t.from);
    if (!src) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${t.sku} has no stock at warehouse ${t.from}`);
    const dst = rec.levels.find((l) => l.location_id === t.to);
    const base = { tenant, sku: rec.item.sku, inventory_item_id: iid, field: 'stocked_quantity' as const, note: t.note, reference: t.reference ?? t.id, created_by: ctx.by, at: now };
    let toFlag: WarehouseFlag | undefined;
    const actions: TxAction[] = [
      // invariant: a transfer never takes reserved (or safety) stock, so nothing goes negative
      setStocked(tenant, src, rec.levelVersions[t.from], src.stocked_quantity - t.quantity, now, 'source', {
        condition: ' AND available_quantity >= :q',
        values: { ':q': t.quantity },
      }),
      ledgerPut({ ...base, warehouse_id: t.from, before: src.stocked_quantity, after: src.stocked_quantity - t.quantity, reason: 'transfer_out' }),
      ledgerPut({ ...base, warehouse_id: t.to, before: dst?.stocked_quantity ?? 0, after: (dst?.stocked_quantity ?? 0) + t.quantity, reason: 'transfer_in' }),
    ];
    if (dst) {
      if (dst.stocked_quantity + t.quantity > MAX_QUANTITY) throw quantityTooLarge('quantity', dst.stocked_quantity, t.quantity, MAX_QUANTITY);
      // invariant: stocked_quantity never exceeds MAX_QUANTITY, relative writes included
      actions.push(
        setStocked(tenant, dst, rec.levelVersions[t.to], dst.stocked_quantity + t.quantity, now, 'destination', {
          condition: ' AND stocked_quantity <= :dmax',
          values: { ':dmax': MAX_QUANTITY - t.quantity },
        }),
      );
    } else {
      const level: Level = {
        id: levelId(iid, t.to),
        inventory_item_id: iid,
        location_id: t.to,
        sku: rec.item.sku,
        stocked_quantity: t.quantity,
        reserved_quantity: 0,
        incoming_quantity: 0,
        safety_stock: 0,
        available_quantity: t.quantity,
        reorder_level: 0,
        reorder_quantity: 0,
        bin_location: null,
        metadata: null,
        created_at: now,
        updated_at: now,
      };
      // the item still has the sku the new level is indexed under, and no delete of it can pass this
      const birth = levelBirth(tenant, rec);
      toFlag = await warehouseFlag(tenant, t.to);
      if (!toFlag) throw notFound('Warehouse', t.to, 'WAREHOUSE_NOT_FOUND');
      if (toFlag.readonly) throw readonlyWarehouse(t.to);
      actions.push({
        label: 'destination',
        item: { Put: { TableName: tableName(), Item: levelRow(tenant, level, birth.version, { policy: birth.policy, flag: toFlag }), ConditionExpression: 'attribute_not_exists(PK)' } },
      });
      actions.push(birth.action);
      // writable, and still with the read-only flag the new level copies
      actions.push(warehouseLevelCount(tenant, t.to, 1, { mustBeWritable: true, label: 'to-warehouse', flag: toFlag }));
    }
    try {
      await transact(actions);
      return true;
    } catch (err) {
      if (!(err instanceof TxCancelled)) throw err;
      const f = err.cancellation.failed;
      const wh = readonlyProblem(err, 'source', t.from) ?? readonlyProblem(err, 'destination', t.to);
      if (wh) throw wh;
      if (f.has('source') && !f.get('source')) throw await levelGone(tenant, iid, t.from);
      if (f.has('to-warehouse')) {
        const old = f.get('to-warehouse');
        if (!old) throw notFound('Warehouse', t.to, 'WAREHOUSE_NOT_FOUND');
        if (old.is_readonly === true && Number(old.ro_seq ?? 0) === toFlag?.seq) throw readonlyWarehouse(t.to);
      }
      const old = f.get('source');
      if (old && old.version === rec.levelVersions[t.from] && Number(old.available_quantity) < t.quantity) {
        throw insufficientStock(t.sku, t.from, Number(old.available_quantity), t.quantity);
      }
      return RETRY;
    }
  });
}

// ---------- bulk ----------

export interface BulkWrite {
  index: number;
  level: Level;
  version: number;
  quantity: number;
  reason: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  expected?: number;
}

/**
 * Apply absolute stock sets to existing levels, as few transactions as the 100-action limit
 * allows: per row the version- and writable-guarded level update and its ledger row. A chunk that
 * fails is reported whole; the caller retries its rows one by one.
 */
export async function applyBulk(ctx: WriteContext, writes: BulkWrite[]): Promise<{ applied: number[]; failed: number[]; requests: number }> {
  const applied: number[] = [];
  const failed: number[] = [];
  let requests = 0;
  let chunk: BulkWrite[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    const actions: TxAction[] = [];
    for (const w of chunk) {
      // compare-and-set rows apply only while the stocked quantity is the expected one
      const guard = w.expected !== undefined ? { condition: ' AND stocked_quantity = :expected', values: { ':expected': w.expected } } : undefined;
      actions.push(setStocked(ctx.tenant, w.level, w.version, w.quantity, ctx.now, `row:${w.index}`, guard));
      actions.push(
        ledgerPut({
          tenant: ctx.tenant,
          sku: w.level.sku ?? null,
          inventory_item_id: w.level.inventory_item_id,
          warehouse_id: w.level.location_id,
          field: 'stocked_quantity',
          before: w.level.stocked_quantity,
          after: w.quantity,
          reason: w.reason,
          note: w.note,
          reference: w.reference,
          created_by: ctx.by,
          at: ctx.now,
        }),
      );
    }
    requests++;
    try {
      await transact(actions);
      applied.push(...chunk.map((w) => w.index));
    } catch (err) {
      if (!(err instanceof TxCancelled)) throw err;
      failed.push(...chunk.map((w) => w.index));
    }
    chunk = [];
  };
  for (const w of writes) {
    if (chunk.length * 2 + 2 > 100) await flush();
    chunk.push(w);
  }
  await flush();
  return { applied, failed, requests };
}

/** Batched reads for a bulk request: sku guards, levels and warehouses, 100 keys a request. */
export async function batchRows(keyList: { PK: string; SK: string }[]): Promise<{ rows: Record<string, any>[]; requests: number }> {
  const rows: Record<string, any>[] = [];
  let requests = 0;
  const unique = [...new Map(keyList.map((k) => [`${k.PK}|${k.SK}`, k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
    while (pending?.length) {
      requests++;
      const res: BatchGetCommandOutput = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      rows.push(...(res.Responses?.[tableName()] ?? []));
      pending = res.UnprocessedKeys?.[tableName()]?.Keys;
    }
  }
  return { rows, requests };
}

export const asLevel = (row: Record<string, unknown>) => strip<Level>(row);
export const asWarehouse = (row: Record<string, unknown>) => strip<Warehouse>(row);
