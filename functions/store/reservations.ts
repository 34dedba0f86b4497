/**
 * Reservations. Every write that moves reserved_quantity does it with a relative update of the
 * level (`reserved ± q`, `available ∓ q`) in the same transaction as the reservation row, so no
 * concurrent write is lost and no reservation ever exceeds what is available.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, insufficientStock, negativeQuantity, notFound } from '../core/errors.ts';
import { availabilityFloor } from '../core/model.ts';
import type { Level, Reservation } from '../core/model.ts';
import { changingTooFast, db, RETRY, tableName, withRetry, writeItem, noteRef, transactOrCancelled, unlessConditionFails } from './db.ts';
import type { TxAction, Cancellation } from './db.ts';
import { newExpr, setFields, updateParams } from './expr.ts';
import { loadItem } from './items.ts';
import type { ItemRecord } from './items.ts';
import { ReservationEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import { queryPartition, queryShards } from './query.ts';
import { hotHint, hotShardsOf, noteHot, readHot, takeFromShard, unparkForShortage } from './hot.ts';

const reservationNotFound = (rid: string) => notFound('Reservation', rid);
const levelMissing = (iid: string, wid: string) => new DomainError('NOT_FOUND', `Item ${iid} is not stocked at location ${wid}`);

function reservationRow(tenant: string, r: Reservation): Record<string, unknown> {
  return ReservationEntity.row(tenant, r);
}

/**
 * `reserved += q, available −= q` at a level, guarded so available never drops below the floor.
 * With `policyVersion`, the level's copy of the item's backorder policy is the one the floor was
 * computed from (the policy check on the level itself: no item row in the transaction).
 */
function take(tenant: string, iid: string, wid: string, q: number, floor: number | null, now: string, label = 'level', policyVersion?: number): TxAction {
  const values: Record<string, unknown> = { ':q': q, ':now': now };
  let condition = 'attribute_exists(PK)';
  if (floor !== null) {
    // invariant: a reservation never takes more than is available (down to −backorder_limit)
    values[':min'] = floor + q;
    condition += ' AND available_quantity >= :min';
  }
  if (policyVersion !== undefined) {
    values[':pv'] = policyVersion;
    condition += ' AND policy_version = :pv';
  }
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: 'SET reserved_quantity = reserved_quantity + :q, available_quantity = available_quantity - :q, updated_at = :now',
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** `reserved −= q, available += q` at a level (release). */
function giveBack(tenant: string, iid: string, wid: string, q: number, now: string, label = 'level'): TxAction {
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: 'SET reserved_quantity = reserved_quantity - :q, available_quantity = available_quantity + :q, updated_at = :now',
        // reserved_quantity is the sum of open reservations: it cannot go below zero
        ConditionExpression: 'attribute_exists(PK) AND reserved_quantity >= :q',
        ExpressionAttributeValues: { ':q': q, ':now': now },
      },
    },
  };
}

/**
 * The level's take and the check that the backorder policy is the one the floor was computed from:
 * on the level's own copy of the policy when it has one (then the item row is in no reservation's
 * transaction, so reservations of one item at different warehouses share no row); on the item row
 * for a level written before levels carried the policy.
 */
function takeChecked(tenant: string, rec: ItemRecord, wid: string, q: number, floor: number | null, now: string, label = 'level'): TxAction[] {
  const pv = rec.levelPolicy[wid];
  if (pv !== undefined) return [take(tenant, rec.item.id, wid, q, floor, now, label, rec.policyVersion)];
  return [take(tenant, rec.item.id, wid, q, floor, now, label), policyCheck(tenant, rec)];
}

/** A failed take whose level holds another policy version than the one read: re-read and recompute. */
const policyMoved = (rec: ItemRecord, old: Record<string, unknown> | undefined) =>
  old?.policy_version !== undefined && Number(old.policy_version) !== rec.policyVersion;

/** The item's backorder policy is the one the floor was computed from (legacy levels only: see takeChecked). */
function policyCheck(tenant: string, rec: ItemRecord): TxAction {
  return {
    label: 'item',
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: keys.item(tenant, rec.item.id),
        ConditionExpression: 'policy_version = :pv',
        ExpressionAttributeValues: { ':pv': rec.policyVersion },
      },
    },
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

async function stockFailure(ctx: WriteContext, refused: Cancellation, rec: ItemRecord, wid: string, q: number, label = 'level'): Promise<DomainError | typeof RETRY> {
  const f = refused.failed;
  if (f.has('item')) return RETRY; // the backorder policy changed (or the item went): recompute
  if (f.has(label)) {
    const old = f.get(label);
    if (!old) return levelMissing(rec.item.id, wid);
    if (policyMoved(rec, old)) return RETRY; // the level's policy changed: recompute
    if (await unparkForShortage(ctx.tenant, old, ctx.now)) return RETRY; // a hot level's parked units are back on the level
    return insufficientStock(rec.item.sku ?? rec.item.id, wid, Number(old.available_quantity), q);
  }
  return RETRY;
}

export async function createReservation(ctx: WriteContext, r: Reservation): Promise<void> {
  const { tenant } = ctx;
  noteRef(r.id);
  const hot = hotHint(tenant, r.inventory_item_id, r.location_id);
  if (hot > 0 && (await reserveHot(ctx, r, hot))) return;
  if (await reserveWithoutBackorders(ctx, r, hot === 0)) return;
  await withRetry(async () => {
    const rec = await loadItem(tenant, r.inventory_item_id);
    if (!rec) throw notFound('Inventory item', r.inventory_item_id, 'INVENTORY_NOT_FOUND');
    const floor = availabilityFloor(rec.item);
    const refused = await transactOrCancelled([
      ...takeChecked(tenant, rec, r.location_id, r.quantity, floor, ctx.now),
      {
        label: 'reservation',
        item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } },
      },
    ]);
    if (!refused) return true;
    const outcome = await stockFailure(ctx, refused, rec, r.location_id, r.quantity);
    if (outcome === RETRY) return RETRY;
    throw outcome;
  });
}

/**
 * The common case in one request: an item that allows no backorders has a floor of 0, so the
 * transaction can check that policy itself — on the level's copy of it
 * (`policy_allow_backorder = false`), no item row — instead of reading the item first. True when it
 * reserved; false when the general path must decide (the level's policy allows backorders, or the
 * level has no copy of the policy, or the transaction met contention). Insufficient stock is answered here.
 */
async function reserveWithoutBackorders(ctx: WriteContext, r: Reservation, tryShards: boolean): Promise<boolean> {
  const { tenant } = ctx;
  const level = take(tenant, r.inventory_item_id, r.location_id, r.quantity, 0, ctx.now);
  const update = level.item.Update!;
  update.ConditionExpression += ' AND policy_allow_backorder = :false';
  (update.ExpressionAttributeValues as Record<string, unknown>)[':false'] = false;
  const refused = await transactOrCancelled([
    level,
    { label: 'reservation', item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } } },
  ]);
  if (!refused) return true;
  const f = refused.failed;
  if (!f.has('level')) return false;
  const old = f.get('level');
  // no level (the item may be gone: the general path says which), or its policy is not "no backorders"
  if (!old || old.policy_allow_backorder !== false) return false;
  if (hotShardsOf(old) > 0) {
    // a hot level: its free units are in its shards (the general path unparks them if no shard can serve)
    noteHot(tenant, r.inventory_item_id, r.location_id, hotShardsOf(old));
    return tryShards && (await reserveHot(ctx, r, hotShardsOf(old)));
  }
  throw insufficientStock(String(old.sku ?? r.inventory_item_id), r.location_id, Number(old.available_quantity), r.quantity);
}

/**
 * A reservation at a hot level (store/hot.ts): from one shard chosen at random, the reservation row
 * in the same transaction; when that shard has too little, from a shard that has enough (one
 * snapshot of the level and its shards says which). False when no shard can serve it alone: the
 * level's own path then decides (and unparks the shards when the level has too little).
 */
async function reserveHot(ctx: WriteContext, r: Reservation, n: number): Promise<boolean> {
  const { tenant } = ctx;
  const iid = r.inventory_item_id;
  const wid = r.location_id;
  const put: TxAction = { label: 'reservation', item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } } };
  let k = Math.floor(Math.random() * n);
  for (let attempt = 0, busy = 0, throttled = 0; attempt < 3; ) {
    const took = await takeFromShard(tenant, iid, wid, k, r.quantity, ctx.now, [put]);
    if (took === 'reserved') return true;
    if (typeof took === 'object') {
      // this shard's partition is out of capacity: the next one; every one of them: the answer (429)
      if (++throttled >= n) throw took.throttled;
      k = (k + 1) % n;
      continue;
    }
    if (took === 'busy') {
      // another reservation holds this shard: the next one (each shard is its own item), then back
      // off once every shard was tried
      busy++;
      k = (k + 1) % n;
      if (busy % n === 0) {
        if (busy >= 15 * n) throw changingTooFast();
        await new Promise((res) => setTimeout(res, Math.random() * Math.min(250, 5 * 2 ** (busy / n))));
      }
      continue;
    }
    attempt++;
    const s = await readHot(tenant, iid, wid, n); // (notes the level's hot_shards for this process)
    if (!s || s.n === 0) return false;
    n = s.n;
    const rich = s.allots.flatMap((a, i) => (i < s.n && a >= r.quantity ? [i] : []));
    const available = Number(s.level.available_quantity) + s.parked;
    // no backorders and too little in all: the answer, from the snapshot (no write on the level)
    if (!rich.length && s.level.policy_allow_backorder === false && available < r.quantity) {
      throw insufficientStock(String(s.level.sku ?? iid), wid, available, r.quantity);
    }
    if (!rich.length) return false;
    k = rich[Math.floor(Math.random() * rich.length)];
  }
  return false;
}

export async function getReservation(tenant: string, rid: string): Promise<Reservation | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(tenant, rid), ConsistentRead: true }));
  return res.Item ? strip<Reservation>(res.Item) : undefined;
}

async function requireReservation(tenant: string, rid: string): Promise<Reservation> {
  const r = await getReservation(tenant, rid);
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
    const floor = availabilityFloor(rec.item);
    const actions: TxAction[] = [resUpdate];
    if (wid === r.location_id) {
      const delta = q - r.quantity;
      if (delta > 0) actions.push(...takeChecked(tenant, rec, wid, delta, floor, now));
      else actions.push(giveBack(tenant, r.inventory_item_id, wid, -delta, now));
    } else {
      // moving location: release at the old level, reserve (checked) at the new one, atomically
      actions.push(giveBack(tenant, r.inventory_item_id, r.location_id, r.quantity, now, 'old-level'));
      actions.push(...takeChecked(tenant, rec, wid, q, floor, now));
    }
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    if (refused.failed.has('reservation')) return RETRY;
    const outcome = await stockFailure(ctx, refused, rec, wid, q - (wid === r.location_id ? r.quantity : 0));
    if (outcome === RETRY) return RETRY;
    throw outcome;
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
      { label: 'reservation', item: { Delete: { TableName: tableName(), Key: keys.reservation(tenant, rid), ...guard } } },
      giveBack(tenant, r.inventory_item_id, r.location_id, r.quantity, now),
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
    const refused = await transactOrCancelled([
      { label: 'reservation', item: { Delete: { TableName: tableName(), Key: keys.reservation(tenant, rid), ...reservationUnchanged(r, allowed) } } },
      {
        label: 'level',
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.level(tenant, r.inventory_item_id, r.location_id),
            UpdateExpression:
              'SET stocked_quantity = :after, reserved_quantity = reserved_quantity - :q, version = :next, updated_at = :now',
            // invariant: stock never negative; the ledger's before is the version's stocked quantity
            ConditionExpression: 'version = :seen AND stocked_quantity >= :q AND reserved_quantity >= :q',
            ExpressionAttributeValues: { ':after': after, ':q': r.quantity, ':next': version + 1, ':seen': version, ':now': now },
          },
        },
      },
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
    const old = refused.failed.get('level');
    if (old && old.version === version && Number(old.stocked_quantity) < r.quantity) {
      throw negativeQuantity('stocked_quantity', Number(old.stocked_quantity), -r.quantity);
    }
    return RETRY;
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
      await Promise.all(
        f.inventory_item_id.map((iid) => queryShards(keys.reservationsPartitions(tenant), { index: 'GSI1', skPrefix: `${iid}#` })),
      )
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
 * per level one `take` of the summed quantity (a transaction may touch an item once) checking the
 * level's copy of the backorder policy, a Put per reservation — the same guards as a single
 * reservation; the item row only when one of the levels has no copy of the policy (takeChecked).
 * Labels name the item and level: `level:<iid>:<wid>`, `reservation:<rid>`, `item:<iid>`.
 */
export function reserveActions(tenant: string, rec: ItemRecord, reservations: Reservation[], floor: number | null, now: string): TxAction[] {
  const iid = rec.item.id;
  const perLevel = new Map<string, number>();
  for (const r of reservations) perLevel.set(r.location_id, (perLevel.get(r.location_id) ?? 0) + r.quantity);
  const legacy = [...perLevel.keys()].some((wid) => rec.levelPolicy[wid] === undefined);
  return [
    ...[...perLevel].map(([wid, q]) =>
      take(tenant, iid, wid, q, floor, now, `level:${iid}:${wid}`, rec.levelPolicy[wid] === undefined ? undefined : rec.policyVersion),
    ),
    ...reservations.map(
      (r): TxAction => ({
        label: `reservation:${r.id}`,
        item: { Put: { TableName: tableName(), Item: reservationRow(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } },
      }),
    ),
    ...(legacy ? [{ ...policyCheck(tenant, rec), label: `item:${iid}` }] : []),
  ];
}

/** A hold's failed level whose copy of the policy is not the one read: the item must be read again. */
export const levelPolicyMoved = policyMoved;

/** Release several reservations at once: each deleted if unchanged, each level given back its sum once. */
export function releaseActions(tenant: string, reservations: Reservation[], now: string): TxAction[] {
  const perLevel = new Map<string, { iid: string; wid: string; q: number }>();
  for (const r of reservations) {
    const k = `${r.inventory_item_id}:${r.location_id}`;
    const cur = perLevel.get(k) ?? { iid: r.inventory_item_id, wid: r.location_id, q: 0 };
    cur.q += r.quantity;
    perLevel.set(k, cur);
  }
  return [
    ...reservations.map(
      (r): TxAction => ({
        label: `reservation:${r.id}`,
        item: { Delete: { TableName: tableName(), Key: keys.reservation(tenant, r.id), ...reservationUnchanged(r) } },
      }),
    ),
    ...[...perLevel.values()].map(({ iid, wid, q }) => giveBack(tenant, iid, wid, q, now, `level:${iid}:${wid}`)),
  ];
}
