/**
 * Moves between a level's named states (issue 25): `available → damaged`, `quality_control →
 * available`, … at one warehouse, in one version-guarded write of the level through its door
 * (store/levels.ts stateWrite) with one ledger row per named state changed. On hand does not change
 * (no stocked_quantity row); available is derived (core/model.ts expectedAvailable).
 */
import { DomainError } from '../core/errors.ts';
import { MAX_QUANTITY, stateField } from '../core/model.ts';
import type { AdjustmentReason, MoveState, StateField } from '../core/model.ts';
import { RETRY, transactOrCancelled, withRetry } from './db.ts';
import type { TxAction } from './db.ts';
import { requireItem } from './items.ts';
import { ledgerPut } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import { figureOf, stateWrite, stockRefusal } from './levels.ts';
import type { StateDeltas } from './levels.ts';

export interface Move {
  warehouse_id: string;
  from: MoveState;
  to: MoveState;
  quantity: number;
  reason: AdjustmentReason;
  note: string | null;
  reference: string | null;
}

/** Too little in the move's source (409, naming `quantity`, with what the source holds). */
export const notEnoughIn = (state: MoveState, sku: string, wid: string, have: number, q: number) =>
  new DomainError(
    'INSUFFICIENT_STOCK',
    `quantity: not enough ${state} stock of ${sku} at warehouse ${wid} to move: requested ${q}, ${state} ${have}`,
    [{ field: 'quantity', message: `only ${have} ${state} at warehouse ${wid}` }],
    { from: state, current_quantity: have, requested_quantity: q },
  );

/** Move `quantity` units of an item at one warehouse from one state to another; refused, changing nothing, without enough in the source. */
export async function moveStock(ctx: WriteContext, iid: string, sku: string, m: Move): Promise<void> {
  const { tenant, now } = ctx;
  const wid = m.warehouse_id;
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const level = rec.levels.find((l) => l.location_id === wid);
    if (!level) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no stock at warehouse ${wid}`);
    const version = rec.levelVersions[wid];
    const states: StateDeltas = {};
    const fromField: StateField | undefined = m.from === 'available' ? undefined : stateField(m.from);
    const toField: StateField | undefined = m.to === 'available' ? undefined : stateField(m.to);
    if (fromField) {
      const have = figureOf(level, fromField);
      if (have < m.quantity) throw notEnoughIn(m.from, sku, wid, have, m.quantity);
      states[fromField] = -m.quantity;
    } else if (level.available_quantity < m.quantity) {
      throw notEnoughIn('available', sku, wid, level.available_quantity, m.quantity);
    }
    if (toField) {
      if (figureOf(level, toField) + m.quantity > MAX_QUANTITY)
        throw new DomainError('INVALID_QUANTITY', `quantity: ${m.to} would pass ${MAX_QUANTITY}`, [
          { field: 'quantity', message: `would take ${m.to} above ${MAX_QUANTITY}` },
        ]);
      states[toField] = m.quantity;
    }
    const minAvailable = m.from === 'available' ? m.quantity : undefined;
    const write = await stateWrite(tenant, level, version, { states, minAvailable }, now, 'level');
    const base = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: iid,
      warehouse_id: wid,
      reason: m.reason,
      note: m.note,
      reference: m.reference,
      created_by: ctx.by,
      at: now,
    };
    const actions: TxAction[] = [...write.actions];
    for (const [f, d] of Object.entries(states) as [StateField, number][]) {
      const before = figureOf(level, f);
      actions.push(ledgerPut({ ...base, field: f, before, after: before + d }));
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const why = await stockRefusal(tenant, refused, 'level', { ...level, sku }, version, { minAvailable, pulled: write.pulled });
    if (why instanceof DomainError && why.code === 'INSUFFICIENT_STOCK') {
      throw notEnoughIn('available', sku, wid, Number(why.extra?.available_quantity ?? 0), m.quantity);
    }
    if (why && why !== RETRY) throw why;
    return RETRY;
  });
}
