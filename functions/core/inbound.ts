/**
 * Inbound supply (issue 25 item 3): stock on its way with an expected date. The rules here (who may,
 * which SKUs, the dates), the writes in store/inbound.ts and the level's door (store/levels.ts).
 *
 * A level's `incoming_quantity` is the sum of what its open inbound lines still bring once it has
 * one (levels without inbound lines keep the figure they were given); receiving a line moves units
 * from incoming to on hand like a receipt, with a ledger row for each figure.
 */
import type * as z from 'zod/mini';
import { DomainError, notFound } from './errors.ts';
import { newId } from './ids.ts';
import type { Actor } from './model.ts';
import { mayWrite, restricted, sees } from './access.ts';
import { loadItem } from '../store/items.ts';
import { RETRY, withRetry } from './retry.ts';
import { validation } from './errors.ts';
import type { inboundCancelBody, inboundCreateBody, inboundExpectedBody, inboundListQuery, inboundReceiveBody } from './schemas-inbound.ts';
import { itemIdBySku } from '../store/items.ts';
import { conversion } from '../store/holds.ts';
import type { Publish } from './events.ts';
import { replanLine } from './promises.ts';
import * as store from '../store/inbound.ts';
import type { InboundHeader, InboundLineRow } from '../store/inbound.ts';

const nowIso = () => new Date().toISOString();

/** A day (`2026-12-20`) as the first instant of it (a line expected that day); an instant as given, in UTC. */
export const expectedInstant = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : v).toISOString();
/** A day as the last instant of it (available-to-promise *by* that date counts the whole day); an instant as given. */
export const byInstant = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T23:59:59.999Z` : v).toISOString();

function view(header: InboundHeader, lines: InboundLineRow[]) {
  return {
    id: header.id,
    type: header.type,
    reference: header.reference,
    warehouse_id: header.warehouse_id,
    note: header.note,
    status: lines.some((l) => l.status === 'open') ? ('open' as const) : ('closed' as const),
    created_by: header.created_by,
    created_at: header.created_at,
    lines: lines.map((l) => ({
      line: l.line,
      sku: l.sku,
      inventory_item_id: l.inventory_item_id,
      quantity: l.quantity,
      received_quantity: l.received_quantity,
      cancelled_quantity: l.cancelled_quantity,
      remaining_quantity: store.remainingOf(l),
      promised_quantity: store.promisedOf(l),
      expected_at: l.expected_at,
      status: l.status,
      updated_at: l.updated_at,
    })),
  };
}

export async function createInbound(actor: Actor, input: z.output<typeof inboundCreateBody>) {
  mayWrite(actor, input.warehouse_id);
  const skus = [...new Set(input.lines.map((l) => l.sku))];
  const iids = new Map(await Promise.all(skus.map(async (sku) => [sku, await itemIdBySku(actor.tenant, sku)] as const)));
  const missing = input.lines.findIndex((l) => !iids.get(l.sku));
  if (missing >= 0) {
    const sku = input.lines[missing]!.sku;
    throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no inventory record`, [{ field: `lines.${missing}.sku`, message: 'no such sku' }]);
  }
  const now = nowIso();
  const header: InboundHeader = {
    id: newId('inb'),
    type: input.type,
    reference: input.reference,
    warehouse_id: input.warehouse_id,
    note: input.note ?? null,
    lines: input.lines.map((l, i) => ({
      line: i + 1,
      sku: l.sku,
      inventory_item_id: iids.get(l.sku)!,
      quantity: l.quantity,
      expected_at: expectedInstant(l.expected_at),
    })),
    created_by: actor.keyName,
    created_at: now,
  };
  await store.createInbound({ tenant: actor.tenant, by: actor.keyName, now }, header);
  return getInbound(actor, header.id);
}

async function header(actor: Actor, id: string): Promise<InboundHeader> {
  const h = await store.getInboundHeader(actor.tenant, id);
  // a key limited to other warehouses does not see the record (as it does not see their levels)
  if (!h || !sees(actor, h.warehouse_id)) throw notFound('Inbound', id);
  return h;
}

export async function getInbound(actor: Actor, id: string) {
  const read = await store.readInbound(actor.tenant, id);
  if (!read || !sees(actor, read.header.warehouse_id)) throw notFound('Inbound', id);
  return view(read.header, read.lines);
}

export async function receiveInboundLine(actor: Actor, id: string, line: number, input: z.output<typeof inboundReceiveBody>) {
  const h = await header(actor, id);
  mayWrite(actor, h.warehouse_id);
  const now = nowIso();
  // units promised to future holds become their reservations in the receipt's own transaction
  await store.receiveLine({ tenant: actor.tenant, by: actor.keyName, now }, h, line, input.quantity, input.note ?? null, (l, q) =>
    conversion(actor.tenant, l, q, now, actor.keyName),
  );
  return getInbound(actor, id);
}

export async function cancelInboundLine(actor: Actor, id: string, line: number, input: z.output<typeof inboundCancelBody> | undefined, publish: Publish) {
  const h = await header(actor, id);
  mayWrite(actor, h.warehouse_id);
  await store.cancelLine({ tenant: actor.tenant, by: actor.keyName, now: nowIso() }, h, line, input?.note ?? null);
  await settleLine(actor, id, line, publish, input?.note);
  return getInbound(actor, id);
}

/**
 * The future holds promised on a line that went away (cancelled, moved later, late) re-planned or
 * released, one guarded step each, with an event each; again on a keyed retry's replay (a step
 * already done finds nothing to do). Answers what happened to each.
 */
export async function settleLine(actor: Actor, id: string, line: number, publish: Publish, note?: string | null) {
  const h = await header(actor, id);
  const spec = h.lines.find((l) => l.line === line);
  if (!spec) throw notFound(`Line of inbound ${id}`, String(line));
  const outcomes = await replanLine(actor.tenant, spec.inventory_item_id, id, line, actor.keyName, note);
  const events = outcomes.flatMap((o) => (o.event ? [o.event] : []));
  if (events.length) await publish(events);
  return outcomes;
}

export async function listInbound(actor: Actor, q: z.output<typeof inboundListQuery>) {
  const { rows, next } = await store.listInbound(actor.tenant, { ...q, warehouse_ids: restricted(actor) ? actor.warehouseIds : undefined });
  return { data: rows.map((r) => view(r.header, r.lines)), meta: { limit: q.limit, nextCursor: next ?? null } };
}

/**
 * A line's new expected date, on the line as read (still open, its receipts and promises as seen);
 * then the future holds promised on it that no longer reach it by their due date are re-planned or
 * released, one guarded step each (as after a cancel).
 */
export async function changeExpectedAt(actor: Actor, id: string, line: number, input: z.output<typeof inboundExpectedBody>, publish: Publish) {
  const h = await header(actor, id);
  mayWrite(actor, h.warehouse_id);
  const spec = h.lines.find((l) => l.line === line);
  if (!spec) throw notFound(`Line of inbound ${id}`, String(line));
  const at = expectedInstant(input.expected_at);
  // a day is the first instant of it: "today" is allowed, a day before it is not
  if (Date.parse(at) < Date.parse(expectedInstant(nowIso().slice(0, 10)))) throw validation('expected_at', 'may not be in the past');
  await withRetry(async () => {
    const rec = await loadItem(actor.tenant, spec.inventory_item_id);
    const l = rec?.inbound.find((x) => x.inbound_id === id && x.line === line);
    if (!l) throw notFound(`Line of inbound ${id}`, String(line));
    if (l.status !== 'open') throw new DomainError('CONFLICT', `Inbound ${id} line ${line} is ${l.status}: its expected date no longer matters`);
    if (l.expected_at === at) return true;
    return (await store.changeExpected({ tenant: actor.tenant, by: actor.keyName, now: nowIso() }, l, at)) ? true : RETRY;
  });
  await settleLine(actor, id, line, publish, input.note);
  return getInbound(actor, id);
}
