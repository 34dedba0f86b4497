/**
 * Stock writes of the inventory family that touch several levels at once: transfers (one
 * transaction, two levels, two ledger rows). Bulk and upload chunks: store/rows.ts.
 */
import { DomainError, notFound, quantityTooLarge, readonlyWarehouse } from '../core/errors.ts';
import { MAX_QUANTITY } from '../core/model.ts';
import { RETRY, withRetry, transactOrCancelled } from './db.ts';
import type { TxAction } from './db.ts';
import type { WarehouseFlag } from './locations.ts';
import { requireItem } from './items.ts';
import { ledgerPut } from './ledger.ts';
import { newLevelActions, setStocked, stockRefusal, warehouseRefusal } from './levels.ts';
import type { WriteContext } from './ledger.ts';

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
    const base = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: iid,
      field: 'stocked_quantity' as const,
      note: t.note,
      reference: t.reference ?? t.id,
      created_by: ctx.by,
      at: now,
    };
    // the door (store/levels.ts) guards both levels: a transfer never takes reserved (or safety)
    // stock, so nothing goes negative
    const source = await setStocked(tenant, src, rec.levelVersions[t.from], src.stocked_quantity - t.quantity, now, 'source', { minAvailable: t.quantity });
    const actions: TxAction[] = [
      ...source.actions,
      ledgerPut({ ...base, warehouse_id: t.from, before: src.stocked_quantity, after: src.stocked_quantity - t.quantity, reason: 'transfer_out' }),
      ledgerPut({ ...base, warehouse_id: t.to, before: dst?.stocked_quantity ?? 0, after: (dst?.stocked_quantity ?? 0) + t.quantity, reason: 'transfer_in' }),
    ];
    let toFlag: WarehouseFlag | undefined;
    if (dst) {
      if (dst.stocked_quantity + t.quantity > MAX_QUANTITY) throw quantityTooLarge('quantity', dst.stocked_quantity, t.quantity, MAX_QUANTITY);
      actions.push(...(await setStocked(tenant, dst, rec.levelVersions[t.to], dst.stocked_quantity + t.quantity, now, 'destination')).actions);
    } else {
      const made = await newLevelActions(tenant, rec, t.to, { stocked: t.quantity, incoming: 0, safety: 0 }, now, {
        label: 'destination',
        warehouseLabel: 'to-warehouse',
      });
      if (!made) throw notFound('Warehouse', t.to, 'WAREHOUSE_NOT_FOUND');
      toFlag = made.flag;
      if (toFlag.readonly) throw readonlyWarehouse(t.to);
      actions.push(...made.actions);
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const why =
      (await stockRefusal(tenant, refused, 'source', { ...src, sku: t.sku }, rec.levelVersions[t.from], { minAvailable: t.quantity, pulled: source.pulled })) ??
      (dst ? await stockRefusal(tenant, refused, 'destination', dst, rec.levelVersions[t.to]) : warehouseRefusal(refused, t.to, toFlag, true, 'to-warehouse'));
    if (why && why !== RETRY) throw why;
    return RETRY;
  });
}
