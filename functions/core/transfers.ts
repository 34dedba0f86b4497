/**
 * Transfers as shipments (issue 25): create (draft) → ship → receive (in parts) → close, or cancel.
 * The steps' writes are store/transfers.ts's; this module checks what the request alone can tell
 * (the key's warehouses for a create, the lines) and builds the events of each step.
 */
import type * as z from 'zod';
import { DomainError, notFound, validation } from './errors.ts';
import { mayWrite, restricted, sees } from './access.ts';
import type { InventoryEvent } from './events.ts';
import { newId } from './ids.ts';
import { writeContext } from './items.ts';
import type { Actor } from './model.ts';
import type { receiveTransferBody, transferCreateBody, transfersQuery } from './schemas-transfers.ts';
import { itemIdBySku } from '../store/items.ts';
import {
  cancelTransfer,
  closeTransfer,
  createTransfer,
  getTransfer,
  listTransfers,
  receiveTransfer,
  shipTransfer,
  fitsOneStep,
  warehouseOf,
} from '../store/transfers.ts';
import type { TransferRecord } from '../store/transfers.ts';

export type { TransferRecord };

/** A draft transfer: warehouses and SKUs checked, nothing moves. A warehouse-limited key creates from its own side (the source). */
export async function createDraft(actor: Actor, input: z.output<typeof transferCreateBody>): Promise<TransferRecord> {
  mayWrite(actor, input.from_warehouse_id);
  const ctx = writeContext(actor);
  fitsOneStep(input.lines.length);
  const seen = new Set<string>();
  const [from, to, iids] = await Promise.all([
    warehouseOf(actor.tenant, input.from_warehouse_id),
    warehouseOf(actor.tenant, input.to_warehouse_id),
    Promise.all(input.lines.map((l) => itemIdBySku(actor.tenant, l.sku))),
  ]);
  if (!from) throw notFound('Warehouse', input.from_warehouse_id, 'WAREHOUSE_NOT_FOUND');
  if (!to) throw notFound('Warehouse', input.to_warehouse_id, 'WAREHOUSE_NOT_FOUND');
  const lines = input.lines.map((l, i) => {
    if (seen.has(l.sku)) throw validation(`lines.${i}.sku`, `${l.sku} is already line ${[...seen].indexOf(l.sku)}: one line per SKU`);
    seen.add(l.sku);
    const iid = iids[i];
    if (!iid) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${l.sku} has no inventory record`, [{ field: `lines.${i}.sku`, message: 'unknown SKU' }]);
    return { sku: l.sku, inventory_item_id: iid, quantity: l.quantity, shipped: 0, received: 0, rejected: 0 };
  });
  const t: TransferRecord = {
    id: newId('trf'),
    status: 'draft',
    from_warehouse_id: input.from_warehouse_id,
    to_warehouse_id: input.to_warehouse_id,
    reference: input.reference ?? null,
    note: input.note ?? null,
    lines,
    steps: [{ step: 'created', at: ctx.now, by: ctx.by }],
    created_by: ctx.by,
    created_at: ctx.now,
    shipped_at: null,
    received_at: null,
    cancelled_at: null,
    closed_at: null,
    updated_at: ctx.now,
  };
  await createTransfer(ctx, t);
  return t;
}

/** A transfer the key sees (a warehouse-limited key: one of its sides is the key's); 404 otherwise. */
export async function readTransfer(actor: Actor, id: string): Promise<TransferRecord> {
  const t = await getTransfer(actor.tenant, id);
  if (!t || !(sees(actor, t.from_warehouse_id) || sees(actor, t.to_warehouse_id))) throw notFound('Transfer', id);
  return t;
}

export async function listAll(actor: Actor, q: z.output<typeof transfersQuery>) {
  const { rows, next } = await listTransfers(actor.tenant, { ...q, warehouse_ids: restricted(actor) ? actor.warehouseIds : undefined });
  return { data: rows, meta: { limit: q.limit, nextCursor: next ?? null } };
}

const keyWarehouses = (actor: Actor) => (restricted(actor) ? actor.warehouseIds! : []);

export async function ship(actor: Actor, id: string) {
  await shipTransfer(writeContext(actor), id, keyWarehouses(actor));
  return readTransfer(actor, id);
}

export async function receive(actor: Actor, id: string, input: z.output<typeof receiveTransferBody>) {
  const lines = input.lines.map((l) => ({ sku: l.sku, accepted: l.accepted, rejected: l.rejected ?? 0, rejected_to: l.rejected_to ?? 'damaged' }));
  lines.forEach((l, i) => {
    if (l.accepted + l.rejected === 0) throw validation(`lines.${i}.accepted`, 'accepted + rejected must be at least 1');
  });
  await receiveTransfer(writeContext(actor), id, lines, keyWarehouses(actor));
  return readTransfer(actor, id);
}

export async function cancel(actor: Actor, id: string) {
  await cancelTransfer(writeContext(actor), id, keyWarehouses(actor));
  return readTransfer(actor, id);
}

export async function close(actor: Actor, id: string) {
  await closeTransfer(writeContext(actor), id, keyWarehouses(actor));
  return readTransfer(actor, id);
}

/**
 * The event of a step, from the transfer as its step left it (the stream consumer builds it from the
 * record's new image: functions/stream/handler.ts): the transfer id, both warehouses, the status, the
 * lines and who did the step. Its id is the transfer's and the record's version (one step, one
 * version), so a replayed stream record publishes the same id and a consumer drops the repeat.
 */
export function transferEvent(tenant: string, t: TransferRecord, version: number): InventoryEvent {
  const last = t.steps[t.steps.length - 1];
  return {
    id: `transfer-${t.id}-${version}`,
    type: `inventory.transfer.${last.step}`,
    time: last.at,
    detail: {
      tenant_id: tenant,
      transfer_id: t.id,
      status: t.status,
      from_warehouse_id: t.from_warehouse_id,
      to_warehouse_id: t.to_warehouse_id,
      reference: t.reference,
      by: last.by,
      lines: t.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, shipped: l.shipped, received: l.received, rejected: l.rejected })),
      ...(last.lines ? { step_lines: last.lines } : {}),
    },
  };
}
