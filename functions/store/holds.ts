/**
 * Holds: one row (`T#t#H#<hid>` / `HOLD`) with its lines and the reservations allocated to them.
 * Every write of a hold is one transaction with the reservations and levels it moves; the hold row
 * carries a version, and writes that need a live hold check `expires_at > now` in the write itself.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Level, Reservation } from '../core/model.ts';
import { db, noteRef, tableName, transactOrCancelled, TX_LIMIT } from './db.ts';
import { DomainError } from '../core/errors.ts';
import type { TxAction } from './db.ts';
import type { ItemRecord } from './items.ts';
import { HoldEntity, ReservationEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { queryPartition, batchGet } from './query.ts';
import { releaseActions, reservationPut, reserveActions } from './reservations.ts';
import { newId } from '../core/ids.ts';
import type { Conversion, InboundLineRow } from './inbound.ts';
import { promiseUpdate } from './inbound.ts';
import { loadItem } from './items.ts';
import { consumeAt, liveReservation, plannableImage, reservationRemoval, takeRefusal } from './levels.ts';

/**
 * Actions one hold's write needs: create = hold row + per item a policy check + per level a take +
 * per allocation a reservation Put; fulfil = hold row + per allocation its reservation + per level
 * the level update and its ledger row. Fulfil is the larger (an item has at least one level).
 */
export function holdActions(allocations: { inventory_item_id: string; warehouse_id: string }[]): number {
  const levels = new Set(allocations.map((a) => `${a.inventory_item_id} ${a.warehouse_id}`)).size;
  const items = new Set(allocations.map((a) => a.inventory_item_id)).size;
  return Math.max(1 + items + levels + allocations.length, 1 + allocations.length + 2 * levels);
}

/** One action of every transaction is kept free for the request's Idempotency-Key claim. */
export const MAX_HOLD_ACTIONS = 99;

/** How much of the most a hold's one transaction can carry this plan needs: { needed, most }, for the answer when it is too much. */
export function holdSize(allocations: { inventory_item_id: string; warehouse_id: string }[]): { needed: number; most: number } {
  return { needed: holdActions(allocations), most: MAX_HOLD_ACTIONS };
}

import type { Strategy } from '../core/allocation.ts';

export interface HoldAllocation {
  warehouse_id: string;
  inventory_item_id: string;
  quantity: number;
  fulfilled_quantity: number;
  reservation_id: string;
}
export interface HoldLine {
  index: number;
  sku?: string;
  variant?: { product_id: string; variant_id: string };
  quantity: number;
  fulfilled_quantity: number;
  warehouse_id: string | null;
  components: { inventory_item_id: string; sku: string | null; required_quantity: number }[];
  allocations: HoldAllocation[];
  /**
   * Units promised from inbound lines expected by the hold's due date (allow_future): not yet on
   * hand. Receiving the line turns them into an allocation with its reservation; cancelling it (or
   * it running late) re-plans them to another line or releases the hold.
   */
  promises?: HoldPromise[];
}
/** Units of a hold line promised from one inbound line (the line row's `promises[<hold id>]` counts them, summed over the hold's lines). */
export interface HoldPromise {
  inbound_id: string;
  line: number;
  reference: string;
  warehouse_id: string;
  inventory_item_id: string;
  quantity: number;
  expected_at: string;
}
export type HoldStatus = 'active' | 'fulfilled' | 'released';
export interface Hold {
  id: string;
  reference: string;
  status: HoldStatus;
  strategy: Strategy;
  allow_split: boolean;
  expires_at: string;
  /** Promises future stock: inbound lines expected by due_at may cover what is not on hand. */
  allow_future?: boolean;
  due_at?: string | null;
  /** Why the service released it (its inbound was cancelled or late and nothing else came in time). */
  release_reason?: string | null;
  lines: HoldLine[];
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface StoredHold {
  hold: Hold;
  version: number;
}

const holdRow = (tenant: string, h: Hold, version: number) => HoldEntity.row(tenant, h, { version });

/** The hold row's label in every transaction (a failed guard on it names it). */
export const HOLD = 'hold';

/**
 * What a refused hold creation means for the plan: the answer (a DomainError: a bound), the items to
 * read again (their levels, policy or hot state moved), or the levels to patch from the refusal's
 * images (too little at a level: the plan is made again from the figures the write saw).
 */
export interface HoldRefusal {
  reread: Set<string>;
  patched: { iid: string; level: Level; version: number }[];
  /** Nothing failed but contention. */
  contention: boolean;
}

/**
 * Create: the hold row and, per item, its levels' takes (the door's: store/levels.ts), its
 * reservations and its policy check — one transaction. Undefined when it committed; else what the
 * refusal means for the plan.
 */
export async function putHold(
  tenant: string,
  h: Hold,
  perItem: { rec: ItemRecord; reservations: Reservation[]; floor: number | null }[],
  now: string,
  inbound: InboundLineRow[] = [],
): Promise<HoldRefusal | undefined> {
  const promises = promiseWrites(tenant, h, inbound, now);
  // the hold is the keyed request's resource (not its reservations): a replay whose answer was not kept reads it
  noteRef(h.id);
  const parts = await Promise.all(perItem.map((p) => reserveActions(tenant, p.rec, p.reservations, p.floor, now)));
  const actions: TxAction[] = [
    { label: HOLD, item: { Put: { TableName: tableName(), Item: holdRow(tenant, h, 1), ConditionExpression: 'attribute_not_exists(PK)' } } },
    ...parts.flatMap((p) => p.actions),
    ...promises,
  ];
  if (actions.length > TX_LIMIT) {
    // the door's takes may bring more than one action per level (store/levels.ts)
    throw new DomainError(
      'HOLD_TOO_LARGE',
      `This hold needs ${actions.length} actions in one transaction; at most ${TX_LIMIT} fit. Split the order into smaller holds.`,
      [{ field: 'lines', message: `needs ${actions.length} transaction actions, at most ${TX_LIMIT}` }],
    );
  }
  const refused = await transactOrCancelled(actions);
  if (!refused) return undefined;
  const out: HoldRefusal = { reread: new Set(), patched: [], contention: refused.failed.size === 0 };
  for (const [label, old] of refused.failed) {
    const [kind, iid] = label.split(/[:#]/);
    if (kind === HOLD) throw new DomainError('CONFLICT', `Hold ${h.id} already exists: send the request again`); // a new id taken (never in practice)
    if (kind === 'promise') {
      // an inbound line's promises, receipts or status moved: read its item again and plan again
      out.reread.add(iid);
      continue;
    }
    if (kind !== 'level' && kind !== 'item') continue;
    const i = perItem.findIndex((p) => p.rec.item.id === iid);
    if (i < 0) continue;
    const plans = parts[i].plans as Parameters<typeof takeRefusal>[1];
    const why = takeRefusal({ failed: new Map([[label, old]]), conflict: false }, plans, () => perItem[i].rec.item.sku ?? iid);
    if (why instanceof DomainError && why.code !== 'INSUFFICIENT_STOCK') throw why;
    const image = why instanceof DomainError ? plannableImage(old) : undefined;
    // too little at this level: plan again from what the write saw (or from a fresh read)
    if (image) out.patched.push({ iid, ...image });
    else out.reread.add(iid);
  }
  return out;
}

export async function getHold(tenant: string, hid: string): Promise<StoredHold | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.hold(tenant, hid), ConsistentRead: true }));
  if (!res.Item) return undefined;
  return { hold: strip<Hold>(res.Item), version: Number(res.Item.version) };
}

export async function holdsByReference(tenant: string, reference: string): Promise<Hold[]> {
  const rows = await queryPartition(keys.holdsOfReference(tenant, reference), { index: 'GSI2' });
  return rows.map((r) => strip<Hold>(r)).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
}

/** The hold row moves from version `seen` to `seen + 1`; `live`: only while active and not expired at `now`. */
export function holdUpdate(tenant: string, h: Hold, seen: number, now: string, live: boolean, set: Record<string, unknown>): TxAction {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':seen': seen, ':next': seen + 1, ':now': now, ':active': 'active' };
  const sets = ['version = :next', 'updated_at = :now'];
  Object.entries(set).forEach(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    sets.push(`#f${i} = :f${i}`);
  });
  let condition = 'version = :seen AND #status = :active';
  if (live) condition += ' AND expires_at > :now';
  return {
    label: HOLD,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.hold(tenant, h.id),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** Open reservations of a hold as they are now (a released or fulfilled one is absent). */
export async function openReservations(tenant: string, h: Hold): Promise<Reservation[]> {
  const ids = h.lines.flatMap((l) => l.allocations.filter((a) => a.quantity > a.fulfilled_quantity).map((a) => a.reservation_id));
  if (!ids.length) return [];
  const rows = await batchGet(ids.map((rid) => keys.reservation(tenant, rid)));
  return rows.flatMap((r) => (liveReservation(r) ? [strip<Reservation>(r)] : []));
}

/**
 * Extend: the hold and each open reservation get the new expiry (and expiry index key) together.
 * False when refused (the hold expired, was released or changed meanwhile: read it again).
 */
export async function extendHold(tenant: string, h: Hold, seen: number, expiresAt: string, now: string): Promise<boolean> {
  const open = h.lines.flatMap((l) => l.allocations.filter((a) => a.quantity > a.fulfilled_quantity));
  return !(await transactOrCancelled([
    holdUpdate(tenant, h, seen, now, true, { expires_at: expiresAt }),
    ...open.map((a): TxAction => {
      const index = ReservationEntity.indexUpdate(tenant, { id: a.reservation_id, expires_at: expiresAt });
      return {
        label: `reservation:${a.reservation_id}`,
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.reservation(tenant, a.reservation_id),
            UpdateExpression: `SET expires_at = :e, ${index.parts.join(', ')}, updated_at = :now`,
            ConditionExpression: 'quantity = :q AND location_id = :l',
            ExpressionAttributeValues: {
              ':e': expiresAt,
              ...index.values,
              ':now': now,
              ':q': a.quantity - a.fulfilled_quantity,
              ':l': a.warehouse_id,
            },
          },
        },
      };
    }),
  ]));
}

export interface Consumption {
  allocation: HoldAllocation;
  take: number;
}

/**
 * Fulfil: each consumed reservation shrinks (or goes), each touched level loses the consumed
 * quantity from stocked and reserved together (available unchanged) under its version, with its
 * ledger row (reason fulfillment, reference = the hold's reference), and the hold row records what
 * was fulfilled — one transaction, only while the hold is active and not expired.
 */
export async function fulfilHold(
  ctx: { tenant: string; by: string; now: string },
  h: Hold,
  seen: number,
  next: { lines: HoldLine[]; status: HoldStatus },
  consumed: Consumption[],
  recs: Map<string, ItemRecord>,
): Promise<boolean> {
  const { tenant, now } = ctx;
  const perLevel = new Map<string, { iid: string; wid: string; q: number }>();
  for (const c of consumed) {
    const k = `${c.allocation.inventory_item_id}:${c.allocation.warehouse_id}`;
    const cur = perLevel.get(k) ?? { iid: c.allocation.inventory_item_id, wid: c.allocation.warehouse_id, q: 0 };
    cur.q += c.take;
    perLevel.set(k, cur);
  }
  const actions: TxAction[] = [holdUpdate(tenant, h, seen, now, true, { lines: next.lines, status: next.status })];
  for (const { allocation: a, take } of consumed) {
    const open = a.quantity - a.fulfilled_quantity;
    const key = keys.reservation(tenant, a.reservation_id);
    const guard = {
      ConditionExpression: 'quantity = :q AND location_id = :l',
      ExpressionAttributeValues: { ':q': open, ':l': a.warehouse_id } as Record<string, unknown>,
    };
    if (take === open) {
      actions.push({ label: `reservation:${a.reservation_id}`, item: reservationRemoval(tenant, a.reservation_id, guard) });
    } else {
      guard.ExpressionAttributeValues[':left'] = open - take;
      guard.ExpressionAttributeValues[':now'] = now;
      actions.push({
        label: `reservation:${a.reservation_id}`,
        item: { Update: { TableName: tableName(), Key: key, UpdateExpression: 'SET quantity = :left, updated_at = :now', ...guard } },
      });
    }
  }
  for (const { iid, wid, q } of perLevel.values()) {
    const rec = recs.get(iid)!;
    const level = rec.levels.find((l) => l.location_id === wid)!;
    const version = rec.levelVersions[wid];
    const after = level.stocked_quantity - q;
    actions.push(consumeAt(tenant, iid, wid, { q, version, stockedBefore: level.stocked_quantity }, now, `level:${iid}:${wid}`));
    actions.push({
      ...ledgerPut({
        tenant,
        sku: rec.item.sku,
        inventory_item_id: iid,
        warehouse_id: wid,
        field: 'stocked_quantity',
        before: level.stocked_quantity,
        after,
        reason: 'fulfillment',
        reference: h.reference,
        note: `hold ${h.id}`,
        created_by: ctx.by,
        at: now,
      }),
      label: `ledger:${iid}:${wid}`,
    });
  }
  const refused = await transactOrCancelled(actions);
  if (!refused) return true;
  const f = refused.failed;
  const outside = [...f.keys()].filter((k) => k.startsWith('reservation:'));
  if (outside.length && !f.has(HOLD)) {
    // a reservation of this hold was changed outside it (released, fulfilled or edited directly)
    throw new DomainError(
      'CONFLICT',
      `Reservation(s) ${outside.map((k) => k.slice('reservation:'.length)).join(', ')} of hold ${h.id} were changed outside the hold; release the hold and hold again`,
    );
  }
  return false; // the hold or a level moved (or expired): read again
}

/**
 * Release: the hold is marked released (with the service's reason when it is the one releasing it),
 * its still-open reservations go back to their levels and its promises leave their inbound lines
 * (`promises`: each line's write, store/inbound.ts promiseUpdate). False when refused (read again).
 */
export async function releaseHold(tenant: string, h: Hold, seen: number, open: Reservation[], now: string, reason?: string): Promise<boolean> {
  const promises = await promiseRemovals(tenant, h, now);
  const set: Record<string, unknown> = { status: 'released', ...(reason ? { release_reason: reason } : {}) };
  return !(await transactOrCancelled([holdUpdate(tenant, h, seen, now, false, set), ...releaseActions(tenant, open, now), ...promises]));
}

/** A hold's promised units per inbound line (`<inbound id>#<line>` → units), summed over its lines. */
export function promisedPerLine(h: Pick<Hold, 'lines'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of h.lines) for (const p of l.promises ?? []) out.set(`${p.inbound_id}#${p.line}`, (out.get(`${p.inbound_id}#${p.line}`) ?? 0) + p.quantity);
  return out;
}

/** Holds by id (consistent BatchGet), with their versions. */
export async function getHolds(tenant: string, hids: string[]): Promise<StoredHold[]> {
  if (!hids.length) return [];
  const rows = await batchGet(hids.map((hid) => keys.hold(tenant, hid)));
  return rows.map((r) => ({ hold: strip<Hold>(r), version: Number(r.version) }));
}

/**
 * A receipt of `q` units of line `l`: its promised units become reservations of the holds they were
 * promised to, oldest hold first (hold ids sort by creation), up to `q`. Per hold: the hold row (on
 * its version, while active) moves the units from the line's promise to a new allocation, and the
 * allocation's reservation is put; the level's reserved moves in the receipt's own level write
 * (store/levels.ts inboundLevelUpdate). A promise of a hold no longer active is dropped.
 */
export async function conversion(tenant: string, l: InboundLineRow, q: number, now: string, by: string): Promise<Conversion> {
  const promises = { ...(l.promises ?? {}) };
  const held = await getHolds(tenant, Object.keys(promises).sort());
  const actions: TxAction[] = [];
  let left = q;
  let converted = 0;
  for (const { hold, version } of held.sort((a, b) => a.hold.id.localeCompare(b.hold.id))) {
    if (hold.status !== 'active') {
      delete promises[hold.id];
      continue;
    }
    if (left <= 0) break;
    let moved = 0;
    const lines = hold.lines.map((hl) => {
      const out = { ...hl, allocations: [...hl.allocations], promises: [] as HoldPromise[] };
      for (const p of hl.promises ?? []) {
        const take = p.inbound_id === l.inbound_id && p.line === l.line ? Math.min(p.quantity, left) : 0;
        if (take > 0) {
          const rid = newId('res');
          actions.push(
            reservationPut(tenant, {
              id: rid,
              inventory_item_id: p.inventory_item_id,
              location_id: p.warehouse_id,
              quantity: take,
              line_item_id: `${hold.reference}:${hl.index}`,
              description: `hold ${hold.id} (received on ${p.reference} line ${p.line})`,
              metadata: { hold_id: hold.id, inbound_id: p.inbound_id, inbound_line: p.line },
              expires_at: hold.expires_at,
              created_by: by,
              created_at: now,
              updated_at: now,
            }),
          );
          out.allocations.push({
            warehouse_id: p.warehouse_id,
            inventory_item_id: p.inventory_item_id,
            quantity: take,
            fulfilled_quantity: 0,
            reservation_id: rid,
          });
          left -= take;
          moved += take;
        }
        if (p.quantity > take) out.promises.push({ ...p, quantity: p.quantity - take });
      }
      return out;
    });
    if (!moved) continue;
    converted += moved;
    const rest = (promises[hold.id] ?? 0) - moved;
    if (rest > 0) promises[hold.id] = rest;
    else delete promises[hold.id];
    actions.push({ ...holdUpdate(tenant, hold, version, now, false, { lines }), label: `hold:${hold.id}` });
  }
  return { actions, converted, promises };
}

/**
 * The inbound line writes of a new hold's promises: per line (as read: `inbound`), the hold's units
 * added to its promises on the promise version read, only while the line is open with the received
 * quantity read (store/inbound.ts promiseUpdate).
 */
function promiseWrites(tenant: string, h: Hold, inbound: InboundLineRow[], now: string): TxAction[] {
  return [...promisedPerLine(h)].map(([k, q]) => {
    const row = inbound.find((l) => `${l.inbound_id}#${l.line}` === k);
    if (!row) throw new Error(`promiseWrites: line ${k} was not read`);
    return promiseUpdate(tenant, row, { ...(row.promises ?? {}), [h.id]: (row.promises?.[h.id] ?? 0) + q }, now, true);
  });
}

/** The writes that take a hold's promises off their inbound lines (each line read again: on its promise version). */
async function promiseRemovals(tenant: string, h: Hold, now: string): Promise<TxAction[]> {
  if (!promisedPerLine(h).size) return [];
  const iids = [...new Set(h.lines.flatMap((l) => (l.promises ?? []).map((p) => p.inventory_item_id)))];
  const rows = (await Promise.all(iids.map((iid) => loadItem(tenant, iid)))).flatMap((r) => r?.inbound ?? []);
  return rows
    .filter((l) => l.promises?.[h.id] !== undefined)
    .map((l) => {
      const rest = { ...l.promises };
      delete rest[h.id];
      return promiseUpdate(tenant, l, rest, now, false);
    });
}

/**
 * A re-plan of a hold's promises (core/promises.ts): the hold row with its new lines on its version,
 * and each line whose share of the hold changed on its promise version — adding to a line only while
 * it is open with the receipts read, taking off any line. False when refused (read again).
 */
export async function movePromises(tenant: string, h: Hold, seen: number, next: HoldLine[], rows: InboundLineRow[], now: string): Promise<boolean> {
  const before = promisedPerLine(h);
  const after = promisedPerLine({ lines: next });
  const writes: TxAction[] = [];
  for (const row of rows) {
    const k = `${row.inbound_id}#${row.line}`;
    if (!before.has(k) && !after.has(k)) continue;
    const want = after.get(k) ?? 0;
    const had = row.promises?.[h.id] ?? 0;
    if (want === had) continue;
    const promises = { ...(row.promises ?? {}) };
    if (want > 0) promises[h.id] = want;
    else delete promises[h.id];
    writes.push(promiseUpdate(tenant, row, promises, now, want > had));
  }
  return !(await transactOrCancelled([holdUpdate(tenant, h, seen, now, false, { lines: next }), ...writes]));
}
