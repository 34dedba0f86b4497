/** Moves between a level's named states (issue 25): POST /api/inventory/{sku}/moves. */
import type * as z from 'zod';
import { DomainError } from './errors.ts';
import { mayWrite } from './access.ts';
import { getSku } from './inventory.ts';
import { writeContext } from './items.ts';
import type { Actor } from './model.ts';
import type { moveBody } from './schemas-transfers.ts';
import { itemIdBySku } from '../store/items.ts';
import { moveStock } from '../store/moves.ts';

export async function moveUnits(actor: Actor, sku: string, input: z.output<typeof moveBody>) {
  mayWrite(actor, input.warehouse_id);
  const ctx = writeContext(actor);
  const iid = await itemIdBySku(actor.tenant, sku);
  if (!iid) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no inventory record`);
  const move = {
    warehouse_id: input.warehouse_id,
    from: input.from,
    to: input.to,
    quantity: input.quantity,
    reason: input.reason ?? (input.to === 'damaged' ? 'damage' : 'correction'),
    note: input.note ?? null,
    reference: input.reference ?? null,
  } as const;
  await moveStock(ctx, iid, sku, move);
  return { sku, ...move, created_by: actor.keyName, created_at: ctx.now, inventory: await getSku(actor, sku) };
}
