/**
 * Stock writes of the inventory family that touch several levels at once: transfers (one
 * transaction, two levels, two ledger rows). Bulk and upload chunks: store/rows.ts.
 */
import { DomainError, insufficientStock, notFound, quantityTooLarge, readonlyWarehouse } from '../core/errors.ts';
import { MAX_QUANTITY } from '../core/model.ts';
import type { Level } from '../core/model.ts';
import { RETRY, tableName, withRetry, transactOrCancelled } from './db.ts';
import type { TxAction, Cancellation } from './db.ts';
import type { WarehouseFlag } from './locations.ts';
import { levelBirth, requireItem } from './items.ts';
import { LEVEL_WRITABLE, levelReadonly, warehouseFlag, warehouseLevelCount } from './locations.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { levelGone, levelId, levelRow } from './levels.ts';
import { pullParked } from './hot.ts';
import type { WriteContext } from './ledger.ts';

/** A failed level of a stock write: its warehouse is read-only (the level's copy of the flag says so). */
function readonlyProblem(refused: Cancellation, label: string, wid: string): DomainError | undefined {
  return levelReadonly(refused.failed.get(label)) ? readonlyWarehouse(wid) : undefined;
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
  /** A hot level's parked units taken back in the same transaction (store/hot.ts pullParked). */
  pulled = 0,
): TxAction {
  const values: Record<string, unknown> = { ':after': after, ':d': after - l.stocked_quantity + pulled, ':seen': version, ':next': version + 1, ':now': now, ':false': false, ...guard.values };
  if (pulled) values[':pulled'] = pulled;
  const extra = guard.condition;
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.level(tenant, l.inventory_item_id, l.location_id),
        UpdateExpression: `SET stocked_quantity = :after, available_quantity = available_quantity + :d${pulled ? ', reserved_quantity = reserved_quantity - :pulled' : ''}, version = :next, updated_at = :now`,
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
    // a hot source's parked units come back to it in this transaction (store/hot.ts)
    const hot = await pullParked(tenant, src, true, now);
    const actions: TxAction[] = [
      // invariant: a transfer never takes reserved (or safety) stock, so nothing goes negative
      setStocked(
        tenant,
        src,
        rec.levelVersions[t.from],
        src.stocked_quantity - t.quantity,
        now,
        'source',
        { condition: ' AND available_quantity >= :q', values: { ':q': t.quantity - hot.pulled } },
        hot.pulled,
      ),
      ...hot.actions,
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
      toFlag = await warehouseFlag(tenant, t.to, iid);
      if (!toFlag) throw notFound('Warehouse', t.to, 'WAREHOUSE_NOT_FOUND');
      if (toFlag.readonly) throw readonlyWarehouse(t.to);
      actions.push({
        label: 'destination',
        item: { Put: { TableName: tableName(), Item: levelRow(tenant, level, birth.version, { policy: birth.policy, flag: toFlag }), ConditionExpression: 'attribute_not_exists(PK)' } },
      });
      actions.push(birth.action);
      // writable, and still with the read-only flag the new level copies
      actions.push(warehouseLevelCount(toFlag.counter, 1, { mustBeWritable: true, label: 'to-warehouse', flag: toFlag }));
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const f = refused.failed;
    const wh = readonlyProblem(refused, 'source', t.from) ?? readonlyProblem(refused, 'destination', t.to);
    if (wh) throw wh;
    if (f.has('source') && !f.get('source')) throw await levelGone(tenant, iid, t.from);
    if (f.has('to-warehouse')) {
      const old = f.get('to-warehouse');
      if (!old) throw notFound('Warehouse', t.to, 'WAREHOUSE_NOT_FOUND');
      if (old.is_readonly === true && Number(old.ro_seq ?? 0) === toFlag?.seq) throw readonlyWarehouse(t.to);
    }
    const old = f.get('source');
    if (old && old.version === rec.levelVersions[t.from] && Number(old.available_quantity) + hot.pulled < t.quantity) {
      throw insufficientStock(t.sku, t.from, Number(old.available_quantity) + hot.pulled, t.quantity);
    }
    return RETRY;
  });
}
