/** Reservations: hold stock for an order line; release it, change it, or fulfil it. */
import { DomainError, notFound } from './errors.ts';
import { newId } from './ids.ts';
import type { Actor, Level, Reservation } from './model.ts';
import { mayWrite, sees, visibleLevels } from './access.ts';
import { publicLevel, withLevels, writeContext } from './items.ts';
import type { ItemWithLevels } from './items.ts';
import { getItems, loadItem, loadItemForAnswer, loadItemsWithLevels } from '../store/items.ts';
import { RESERVATION_MODEL, select, showsField, showsRelation } from './fields.ts';
import type { FieldTree } from './fields.ts';
import * as store from '../store/reservations.ts';
import type { ReservationFilter } from '../store/reservations.ts';
import type * as z from 'zod';
import type { createReservationBody, ReservationListQuery, updateReservationBody } from './schemas.ts';
import { inRange, likePattern, rangeOf } from './filters.ts';

/** A new reservation and a change of one: the routes' bodies as their schemas parse them. */
export type NewReservation = z.output<typeof createReservationBody>;
export type ReservationChange = z.output<typeof updateReservationBody>;

export async function createReservation(actor: Actor, input: NewReservation): Promise<Reservation> {
  mayWrite(actor, input.location_id);
  const ctx = writeContext(actor);
  const r: Reservation = {
    id: newId('res'),
    inventory_item_id: input.inventory_item_id,
    location_id: input.location_id,
    quantity: input.quantity,
    line_item_id: input.line_item_id ?? null,
    description: input.description ?? null,
    metadata: input.metadata ?? null,
    expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
    created_by: actor.keyName,
    created_at: ctx.now,
    updated_at: ctx.now,
  };
  return store.createReservation(ctx, r);
}

export async function getReservation(actor: Actor, rid: string): Promise<Reservation> {
  const r = await store.getReservation(actor.tenant, rid);
  if (!r || !sees(actor, r.location_id)) throw notFound('Reservation', rid);
  return r;
}

export async function updateReservation(actor: Actor, rid: string, change: ReservationChange): Promise<Reservation> {
  mayWrite(actor, (await getReservation(actor, rid)).location_id, ...(change.location_id ? [change.location_id] : []));
  const normalised = { ...change };
  if (change.expires_at) normalised.expires_at = new Date(change.expires_at).toISOString();
  // the key's warehouses are in the write's condition too: a reservation moved meanwhile is not acted on
  await store.updateReservation(writeContext(actor), rid, normalised, actor.warehouseIds);
  return getReservation(actor, rid);
}

export async function releaseReservation(actor: Actor, rid: string): Promise<Reservation> {
  mayWrite(actor, (await getReservation(actor, rid)).location_id);
  return (await store.releaseReservation(writeContext(actor), rid, { allowed: actor.warehouseIds }))!;
}

/**
 * The sweeper: release every reservation of a tenant whose expires_at has passed, with the same
 * guarded write as a manual release (and the expiry re-checked in it). One fulfilled, released or
 * extended meanwhile is left alone.
 */
export async function releaseExpired(tenant: string, now = new Date().toISOString()): Promise<number> {
  const ctx = { tenant, by: 'expiry-sweeper', now };
  let released = 0;
  for (const rid of await store.expiredReservationIds(tenant, now)) {
    try {
      if (await store.releaseReservation(ctx, rid, { onlyIfExpiredBy: now })) released++;
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'NOT_FOUND') throw err;
    }
  }
  return released;
}

export async function fulfillReservation(actor: Actor, rid: string): Promise<{ reservation: Reservation; level: Level }> {
  mayWrite(actor, (await getReservation(actor, rid)).location_id);
  const out = await store.fulfillReservation(writeContext(actor), rid, actor.warehouseIds);
  return { reservation: out.reservation, level: publicLevel(out.level) };
}

/** The list's filters beyond the ones an index answers: quantity, dates, description (Medusa's operators). */
export type ReservationListFilter = ReservationFilter & Partial<Omit<ReservationListQuery, 'offset' | 'limit' | keyof ReservationFilter>>;

/**
 * Every reservation the index gives for the item / line item filters (or the tenant's), then the
 * other filters on those rows, then `count` and the page (core/filters.ts: the page is cut after
 * filtering, so count and paging are exact).
 */
export async function listReservations(
  actor: Actor,
  filter: ReservationListFilter,
  page: { offset: number; limit: number },
): Promise<{ reservations: Reservation[]; count: number }> {
  const f = filter as Record<string, unknown>;
  const quantity = rangeOf(f, 'quantity');
  const created = rangeOf(f, 'created_at');
  const updated = rangeOf(f, 'updated_at');
  const like = filter['description[$like]'] === undefined ? undefined : likePattern(filter['description[$like]'], false);
  const ilike = filter['description[$ilike]'] === undefined ? undefined : likePattern(filter['description[$ilike]'], true);
  let all = (await store.listReservations(actor.tenant, filter))
    .filter((r) => sees(actor, r.location_id))
    .filter((r) => !filter.created_by?.length || filter.created_by.includes(r.created_by))
    .filter((r) => filter.quantity === undefined || r.quantity === filter.quantity)
    .filter((r) => inRange(r.quantity, quantity))
    .filter((r) => inRange(Date.parse(r.created_at), created))
    .filter((r) => inRange(Date.parse(r.updated_at), updated))
    .filter((r) => filter.description === undefined || r.description === filter.description)
    .filter((r) => !like || (r.description !== null && like.test(r.description)))
    .filter((r) => !ilike || (r.description !== null && ilike.test(r.description)));
  if (filter.q) {
    // Medusa's q: the description or the item's sku (one BatchGet of the matches' items: the cost follows the matches)
    const needle = filter.q.toLowerCase();
    const items = await getItems(actor.tenant, [...new Set(all.map((r) => r.inventory_item_id))]);
    all = all.filter((r) => (r.description ?? '').toLowerCase().includes(needle) || (items.get(r.inventory_item_id)?.sku ?? '').toLowerCase().includes(needle));
  }
  if (filter.order) {
    const desc = filter.order.startsWith('-');
    const field = filter.order.replace(/^-/, '') as 'created_at' | 'updated_at' | 'quantity' | 'id';
    const key = (r: Reservation) => (field === 'quantity' ? r.quantity : r[field]);
    all.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const c = x < y ? -1 : x > y ? 1 : a.id.localeCompare(b.id);
      return desc ? -c : c;
    });
  }
  return { reservations: all.slice(page.offset, page.offset + page.limit), count: all.length };
}

/**
 * Reservations as the admin family shows them, trimmed by `fields` (core/fields.ts). The embedded
 * `inventory_item` (Medusa's default) is read once per item of the page: with its levels when its
 * aggregates or levels are shown (they are sums over the levels: store/items.ts loadItemsWithLevels,
 * the warehouse ids and BatchGets by key), else one BatchGet of the items. `answer`: a new
 * reservation's own answer, whose item at a hot level may be up to a second old (store/items.ts
 * loadItemForAnswer).
 */
export async function showReservations(actor: Actor, reservations: Reservation[], tree: FieldTree, answer = false): Promise<Record<string, unknown>[]> {
  const itemTree = tree.relations.get('inventory_item');
  let items = new Map<string, ItemWithLevels | Record<string, unknown>>();
  if (itemTree) {
    const ids = [...new Set(reservations.map((r) => r.inventory_item_id))];
    const full = showsRelation(tree, 'inventory_item.location_levels') || showsField(itemTree, 'stocked_quantity') || showsField(itemTree, 'reserved_quantity');
    if (full) {
      // one item (a reservation's own answer): its partition in one Query; a page: by key (fewer requests)
      const recs =
        ids.length === 1
          ? (await Promise.all(ids.map((id) => (answer ? loadItemForAnswer : loadItem)(actor.tenant, id)))).filter((r) => r !== undefined)
          : await loadItemsWithLevels(actor.tenant, ids);
      items = new Map(recs.map((rec) => [rec.item.id, withLevels(rec.item, visibleLevels(actor, rec.levels))] as const));
    } else items = new Map([...(await getItems(actor.tenant, ids))].map(([id, item]) => [id, item as unknown as Record<string, unknown>]));
  }
  return reservations.map((r) => select({ ...r, ...(itemTree ? { inventory_item: items.get(r.inventory_item_id) ?? null } : {}) }, tree, RESERVATION_MODEL));
}
