/**
 * Reservations. Every write that moves reserved_quantity does it with a relative update of the
 * level (`reserved ± q`, `available ∓ q`) in the same transaction as the reservation row, so no
 * concurrent write is lost and no reservation ever exceeds what is available.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { notFound } from '../core/errors.ts';
import { availabilityFloor } from '../core/model.ts';
import type { Level, Reservation } from '../core/model.ts';
import { createHash } from 'node:crypto';
import { db, pendingClaim, RETRY, tableName, withRetry, writeItem, noteRef, transactOrCancelled, unlessConditionFails } from './db.ts';
import type { TxAction } from './db.ts';
import { newExpr, setFields, updateParams } from './expr.ts';
import { loadItem } from './items.ts';
import type { ItemRecord } from './items.ts';
import { ReservationEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import { queryPartition, queryShards } from './query.ts';
import {
  consumeAt,
  consumeRefusal,
  escrowId,
  escrowLikely,
  materialiseLevel,
  parseEscrowId,
  pendingReservation,
  releaseAt,
  releaseAtLevels,
  liveReservation,
  NEW_RESERVATION_GUARD,
  reservationRemoval,
  reserve,
  reserveAtLevels,
  reserveHot,
  takeOverEscrow,
  takeRefusal,
} from './levels.ts';

const reservationNotFound = (rid: string) => notFound('Reservation', rid);

function reservationRow(tenant: string, r: Reservation): Record<string, unknown> {
  return ReservationEntity.row(tenant, r);
}

/** A new reservation's row, put only if its id is new (a hold's receipt of promised units: store/holds.ts conversion). */
export function reservationPut(tenant: string, r: Reservation): TxAction {
  return {
    label: `reservation:${r.id}`,
    item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } },
  };
}

/**
 * The reservation row is still the one the level moves were computed from. With `allowed` (the
 * warehouses of a limited key), its location is one of them at the moment of the write.
 */
function reservationUnchanged(r: Reservation, allowed?: string[]): { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> } {
  const values: Record<string, unknown> = { ':oq': r.quantity, ':ol': r.location_id };
  let condition = 'quantity = :oq AND location_id = :ol';
  if (allowed?.length) {
    allowed.forEach((w, i) => (values[`:aw${i}`] = w));
    condition += ` AND location_id IN (${allowed.map((_, i) => `:aw${i}`).join(', ')})`;
  }
  return { ConditionExpression: condition, ExpressionAttributeValues: values };
}

/** A reservation a warehouse-limited key cannot see is, for it, not there. */
async function requireReservationFor(tenant: string, rid: string, allowed?: string[]): Promise<Reservation> {
  const r = await requireReservation(tenant, rid);
  if (allowed?.length && !allowed.includes(r.location_id)) throw reservationNotFound(rid);
  return r;
}

/**
 * Create a reservation: at a level whose design is escrow (store/levels.ts designOf, as this process
 * last saw the level; the service's default for a level not known to be hot), its id names its level
 * (and, for a keyed request, comes from the Idempotency-Key, so a retry meets its own pending entry),
 * and a hot level takes it by the escrow take; otherwise (and as the fallback) the level's path with
 * the row in the same transaction. Returns the reservation made (a replay: the one made before).
 */
export async function createReservation(ctx: WriteContext, input: Reservation): Promise<Reservation> {
  let r = input;
  await takeOverEscrow(ctx.tenant, r.inventory_item_id, r.location_id);
  if (escrowLikely(ctx.tenant, r.inventory_item_id, r.location_id)) {
    const claim = pendingClaim();
    const base = claim ? `res_${createHash('sha256').update(claim.Key.PK).digest('hex').slice(0, 26).toUpperCase()}` : r.id;
    const rid = escrowId(base, r.inventory_item_id, r.location_id);
    if (rid) r = { ...r, id: rid };
    const taken = await reserveHot(ctx, r);
    if (taken) return taken;
  }
  noteRef(r.id);
  const put: TxAction = {
    label: 'reservation',
    item: { Put: { TableName: tableName(), Item: reservationRow(ctx.tenant, r), ...NEW_RESERVATION_GUARD } },
  };
  await reserve(ctx, { iid: r.inventory_item_id, wid: r.location_id, q: r.quantity }, [put]);
  return r;
}

/**
 * A reservation: its row, or (an escrow id) its entry still pending in its level's shard map — read
 * after a missed row, then the row once more (a materialiser writes the row before the entry leaves
 * the map, so one of the three reads sees it).
 */
export async function getReservation(tenant: string, rid: string): Promise<Reservation | undefined> {
  const row = await readRow(tenant, rid);
  if (row || !parseEscrowId(rid)) return row;
  return (await pendingReservation(tenant, rid)) ?? (await readRow(tenant, rid));
}

async function readRow(tenant: string, rid: string): Promise<Reservation | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(tenant, rid), ConsistentRead: true }));
  const row = liveReservation(res.Item);
  return row ? strip<Reservation>(row) : undefined;
}

/** The reservation's row, for a write acting on it: one still pending in an escrow map is made a row first. */
async function requireReservation(tenant: string, rid: string): Promise<Reservation> {
  let r = await readRow(tenant, rid);
  const at = parseEscrowId(rid);
  if (!r && at && (await pendingReservation(tenant, rid))) {
    await materialiseLevel(tenant, at.iid, at.wid);
    r = await readRow(tenant, rid);
  }
  if (!r) throw reservationNotFound(rid);
  return r;
}

export interface ReservationChange {
  quantity?: number;
  location_id?: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  expires_at?: string | null;
}

export async function updateReservation(ctx: WriteContext, rid: string, change: ReservationChange, allowed?: string[]): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const r = await requireReservationFor(tenant, rid, allowed);
    const q = change.quantity ?? r.quantity;
    const wid = change.location_id ?? r.location_id;
    const e = setFields(newExpr(), {
      quantity: q,
      location_id: wid,
      description: change.description,
      metadata: change.metadata,
      expires_at: change.expires_at,
      updated_at: now,
    });
    const cond = reservationUnchanged(r, allowed);
    Object.assign(e.values, cond.ExpressionAttributeValues);
    // the expiry index follows expires_at (present only while there is one)
    ReservationEntity.indexUpdate(tenant, { id: rid, expires_at: change.expires_at }, e);
    const params = updateParams(e);
    const resUpdate: TxAction = {
      label: 'reservation',
      item: { Update: { TableName: tableName(), Key: keys.reservation(tenant, rid), ...params, ConditionExpression: cond.ConditionExpression } },
    };
    if (q === r.quantity && wid === r.location_id) {
      // no stock moves: a single conditional write
      // (contention is retried inside writeItem)
      return (await unlessConditionFails(() => writeItem({ Update: resUpdate.item.Update! }))) ? true : RETRY;
    }
    const rec = await loadItem(tenant, r.inventory_item_id);
    if (!rec) throw notFound('Inventory item', r.inventory_item_id, 'INVENTORY_NOT_FOUND');
    const actions: TxAction[] = [resUpdate];
    // the levels' moves (the door: store/levels.ts): a grow takes the difference, a shrink gives it
    // back, a move gives all back at the old level and takes all at the new one, atomically
    const grow = wid === r.location_id ? q - r.quantity : q;
    if (wid !== r.location_id) actions.push(releaseAt(tenant, r.inventory_item_id, r.location_id, r.quantity, now, 'old-level'));
    let plans = new Map();
    if (grow > 0) {
      const taken = await reserveAtLevels(tenant, rec, new Map([[wid, grow]]), availabilityFloor(rec.item), now, () => 'level');
      actions.push(...taken.actions);
      plans = taken.plans;
    } else actions.push(releaseAt(tenant, r.inventory_item_id, wid, -grow, now));
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    if (refused.failed.has('reservation')) return RETRY;
    const why = takeRefusal(refused, plans, () => rec.item.sku ?? rec.item.id);
    if (why === RETRY) return RETRY;
    throw why;
  });
}

/** Release: delete the reservation and give its quantity back to the level, atomically. */
export async function releaseReservation(
  ctx: WriteContext,
  rid: string,
  opts: { onlyIfExpiredBy?: string; allowed?: string[] } = {},
): Promise<Reservation | undefined> {
  const { tenant, now } = ctx;
  return withRetry(async () => {
    const r = await requireReservationFor(tenant, rid, opts.allowed);
    const guard = reservationUnchanged(r, opts.allowed);
    if (opts.onlyIfExpiredBy) {
      // the sweeper: still expired at the moment of the write (not extended meanwhile)
      if (!r.expires_at || r.expires_at > opts.onlyIfExpiredBy) return undefined;
      guard.ConditionExpression += ' AND expires_at <= :expiredBy';
      (guard.ExpressionAttributeValues as Record<string, unknown>)[':expiredBy'] = opts.onlyIfExpiredBy;
    }
    const refused = await transactOrCancelled([
      { label: 'reservation', item: reservationRemoval(tenant, rid, guard) },
      releaseAt(tenant, r.inventory_item_id, r.location_id, r.quantity, now),
    ]);
    return refused ? RETRY : r; // refused: it changed or went meanwhile, re-read (a gone reservation is a 404)
  });
}

/**
 * Fulfil: the reservation is consumed, stocked and reserved both drop by its quantity
 * (available unchanged), and the ledger row is written, in one transaction.
 */
export async function fulfillReservation(ctx: WriteContext, rid: string, allowed?: string[]): Promise<{ reservation: Reservation; level: Level }> {
  const { tenant, now } = ctx;
  return withRetry(async () => {
    const r = await requireReservationFor(tenant, rid, allowed);
    const rec = await loadItem(tenant, r.inventory_item_id);
    const level = rec?.levels.find((l) => l.location_id === r.location_id);
    if (!rec || !level) return RETRY; // the reservation holds its level; it can only be mid-change
    const version = rec.levelVersions[r.location_id];
    const after = level.stocked_quantity - r.quantity;
    const use = { q: r.quantity, version, stockedBefore: level.stocked_quantity };
    const refused = await transactOrCancelled([
      { label: 'reservation', item: reservationRemoval(tenant, rid, reservationUnchanged(r, allowed)) },
      consumeAt(tenant, r.inventory_item_id, r.location_id, use, now),
      ledgerPut({
        tenant,
        sku: rec.item.sku,
        inventory_item_id: r.inventory_item_id,
        warehouse_id: r.location_id,
        field: 'stocked_quantity',
        before: level.stocked_quantity,
        after,
        reason: 'fulfillment',
        reference: r.line_item_id ?? r.id,
        note: r.description,
        created_by: ctx.by,
        at: now,
      }),
    ]);
    if (!refused) {
      return {
        reservation: r,
        level: { ...level, stocked_quantity: after, reserved_quantity: level.reserved_quantity - r.quantity, updated_at: now },
      };
    }
    const why = consumeRefusal(refused, 'level', use);
    if (why === RETRY) return RETRY;
    throw why;
  });
}

export interface ReservationFilter {
  inventory_item_id?: string[];
  location_id?: string[];
  line_item_id?: string[];
}

/** Matching reservations in a stable order (item, then id); filters narrow by index where they can. */
export async function listReservations(tenant: string, f: ReservationFilter): Promise<Reservation[]> {
  let rows: Record<string, unknown>[];
  if (f.line_item_id?.length) {
    rows = (await Promise.all(f.line_item_id.map((l) => queryPartition(keys.reservationsOfLine(tenant, l), { index: 'GSI2' })))).flat();
  } else if (f.inventory_item_id?.length) {
    rows = (
      await Promise.all(f.inventory_item_id.map((iid) => queryShards(keys.reservationsPartitions(tenant), { index: 'GSI1', skPrefix: `${iid}#` })))
    ).flat();
  } else {
    // every shard of the index and the legacy unsharded partition (key-builders.ts)
    rows = await queryShards(keys.reservationsPartitions(tenant), { index: 'GSI1' });
  }
  const out = rows
    .map((row) => strip<Reservation>(row))
    .filter((r) => !f.inventory_item_id?.length || f.inventory_item_id.includes(r.inventory_item_id))
    .filter((r) => !f.location_id?.length || f.location_id.includes(r.location_id));
  out.sort((a, b) => (a.inventory_item_id + a.id).localeCompare(b.inventory_item_id + b.id));
  return out;
}

/**
 * Ids of the reservations whose expires_at is at or before `now`, earliest first (the expiry index,
 * not a scan: every shard and the legacy unsharded partition, key-builders.ts). Each id once: an
 * index is eventually consistent, so a moved expiry may briefly show at its old key and its new one.
 */
export async function expiredReservationIds(tenant: string, now: string): Promise<string[]> {
  const rows = await queryShards(keys.expiriesPartitions(tenant), { index: 'GSI3', skUpTo: `${now}#~`, projection: ['id'] });
  return [...new Set(rows.map((r) => r.id as string))];
}

/**
 * The actions that create several reservations of one item in one transaction (multi-line holds):
 * the levels' takes of the door (store/levels.ts reserveAtLevels: per level one take of the summed
 * quantity, labelled `level:<iid>:<wid>`), a Put per reservation (`reservation:<rid>`).
 */
export async function reserveActions(
  tenant: string,
  rec: ItemRecord,
  reservations: Reservation[],
  floor: number | null,
  now: string,
): Promise<{ actions: TxAction[]; plans: Map<string, unknown> }> {
  const perLevel = new Map<string, number>();
  for (const r of reservations) perLevel.set(r.location_id, (perLevel.get(r.location_id) ?? 0) + r.quantity);
  const taken = await reserveAtLevels(tenant, rec, perLevel, floor, now);
  return {
    plans: taken.plans,
    actions: [
      ...taken.actions,
      ...reservations.map(
        (r): TxAction => ({
          label: `reservation:${r.id}`,
          item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } },
        }),
      ),
    ],
  };
}

/** Release several reservations at once: each deleted if unchanged, each level given back its sum once. */
export function releaseActions(tenant: string, reservations: Reservation[], now: string): TxAction[] {
  return [
    ...reservations.map(
      (r): TxAction => ({
        label: `reservation:${r.id}`,
        item: reservationRemoval(tenant, r.id, reservationUnchanged(r)),
      }),
    ),
    ...releaseAtLevels(tenant, reservations, now),
  ];
}
