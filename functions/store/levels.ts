/**
 * THE LEVEL'S ONE DOOR. This module is the only code that builds a write (Put, Update, Delete,
 * ConditionCheck) of a location level row (`T#t#I#<iid>` / `L#<wid>`) or of its hot-mode stock
 * shards (`T#t#HOT#<iid>#<wid>#<k>`), and the only code that turns a refused level write into an
 * answer or a retry. Callers (reservations, holds, the row pipeline of bulk and CSV uploads,
 * transfers, admin set / adjust, Medusa's level batches and an item created with its levels, item and
 * warehouse deletes, reconcile, the stream consumer) describe
 * the change — the deltas, what they read and expect — and add rows of their own (reservation,
 * ledger, hold, checkpoint; the request's Idempotency-Key claim is added by store/db.ts to the one
 * transaction that commits the change). The door adds the guards and every action a hot level needs.
 *
 * Invariants of a level, each kept by a condition inside the write that could break it (DynamoDB
 * conditions cannot do arithmetic, so the row stores `available_quantity` next to its terms and
 * every write moves them together, by relative amounts where writers run in parallel):
 *
 *  I1  available = stocked − reserved − safety_stock − damaged − quality_control   (raw row figures;
 *      core/model.ts expectedAvailable; the named states are on hand, not available; in_transit is
 *      neither: units shipped toward the level, outside stocked)
 *  I2  reserved  = Σ open reservations at the level + Σ allot of its shards   ("parked" units)
 *  I3  stocked ∈ [0, MAX_QUANTITY], reserved ∈ [0, MAX_QUANTITY], every shard's allot ≥ 0
 *  I4  a reservation never leaves available below the floor of the item's backorder policy
 *      (0 without backorders, −backorder_limit, or none); the level's copy of the policy
 *      (`policy_version`) is the one the floor was computed from
 *  I5  a level whose warehouse is read-only (its copy `wh_readonly`) takes no stock write
 *  I6  units are parked only while the level's own available stays ≥ 0 after parking, and every
 *      write that lowers a hot level's available, or spends backorders there, takes every parked
 *      unit back in its own transaction (the shards exactly as read: `allot = a`), so a shard never
 *      holds a unit the level no longer has free
 *  I7  `version` moves on every write whose figures a version-guarded writer computed from: stock
 *      writes, fulfilment, and every move of units between the level and its shards (parking,
 *      hot mode on / off) — so a write planned before the level went hot, or before units were
 *      parked, is refused and planned again. Versions only grow (a re-created level continues the
 *      item's level_seq: store/items.ts levelBirth).
 *  I8  a write a request commits carries no side move: whatever the level needs (parked units
 *      back, shards deleted, hot mode switched) goes in the request's own transaction, so a refused
 *      request changes nothing and a committed one committed its Idempotency-Key claim with its effect.
 *  I9  a level with open inbound lines has incoming = Σ what they still bring (section "Inbound supply").
 *
 * Hot mode (docs/design.md, "Hot mode"): a level's free stock split over N shard items, each its own
 * partition, so reservations of one SKU at one warehouse take from N items instead of one. A
 * reservation takes `allot −= q IF allot ≥ q` on one shard with its reservation row; the level is not
 * written. Shown figures: available = level.available + Σ allot, reserved = level.reserved − Σ allot.
 * Reads of a hot level are a consistent GetItem of the level and a consistent BatchGetItem of its
 * shards — no TransactGetItems, which any write to one of its items cancels on AWS. The figures shown
 * can be off by the units one background move shifts while the read runs (at most what the move
 * parks); every guard is in the writes, which condition on exactly what they read.
 *
 * Hot mode's escrow design (the default; INVENTORY_HOT_DESIGN=shards for the other; docs/design.md
 * "Hot mode: the escrow design"): a reservation is one conditional UpdateItem of a shard — `allot −= q` and the reservation
 * pending in the shard's map — and the materialiser (the stream consumer) makes each pending entry its
 * row off the hot item. I2 then reads: reserved = Σ open reservations + Σ pending q + Σ allot.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../lib/table-definition.ts';
import {
  DomainError,
  insufficientStock,
  negativeQuantity,
  notFound,
  quantityMismatch,
  quantityTooLarge,
  readonlyWarehouse,
  validation,
} from '../core/errors.ts';
import { inParallel } from '../core/parallel.ts';
import { expectedAvailable, MAX_QUANTITY, STOCK_STATES, stateField } from '../core/model.ts';
import type { AdjustmentReason, InventoryItem, Level, LevelStatus, Reservation, StateField } from '../core/model.ts';
import {
  changingTooFast,
  db,
  isThrottled,
  noteCommittedElsewhere,
  pendingClaim,
  RETRY,
  retryConflicts,
  tableName,
  TX_LIMIT,
  withRetry,
  transactOrCancelled,
  unlessConditionFails,
  withoutClaim,
} from './db.ts';
import type { TxAction, Cancellation, PendingClaim } from './db.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { addTo, newExpr, setFields, updateParams } from './expr.ts';
import type { Expr } from './expr.ts';
import { freshRecord, levelBirth, loadItem, newItemActions, newItemRefusal, requireItem } from './items.ts';
import type { ItemRecord, LevelPolicy } from './items.ts';
import { levelCounter, warehouseFlag, warehouseLevelCount } from './locations.ts';
import type { WarehouseFlag } from './locations.ts';
import { LevelEntity, ReservationEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { fieldsOf, strip } from './keys.ts';
import { batchGet, batchRead } from './query.ts';
import { ledgerPut, writeOffLedger } from './ledger.ts';
import type { WriteContext } from './ledger.ts';

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB items are untyped here; the entities type them
type Row = Record<string, any>;

// ======================================================================================
// The row, its ids, its errors
// ======================================================================================

/** What a caller may set on a level, at creation or later. */
export interface LevelFields {
  stocked_quantity?: number;
  incoming_quantity?: number;
  safety_stock?: number;
  reorder_level?: number;
  reorder_quantity?: number;
  bin_location?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface NewLevel extends LevelFields {
  location_id: string;
  /** Ledger reason of the stock the level starts with (default `initial`). */
  reason?: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  /** The item must belong to this product (or to none), checked in the level's transaction (records family). */
  product_id?: string;
}

/** The item found by sku belongs to another product (records family). */
export const otherProduct = (sku: string, owner: unknown, productId: string) =>
  new DomainError('CONFLICT', `SKU ${sku} is the inventory item of product ${String(owner)}, not ${productId}: give this product a skuId of its own`);

const levelNotFound = (iid: string, wid: string) => new DomainError('NOT_FOUND', `Item ${iid} is not stocked at location ${wid}`);

/** Medusa's answer and words (400 not_allowed); `code` says which refusal it is. */
const levelHasReservations = (iid: string, wid: string) =>
  new DomainError('HAS_RESERVATIONS', `Cannot remove Inventory Level ${iid} at Location ${wid} because there are reservations at location`);

/**
 * I5: a stock write's guard that its warehouse takes writes, on the level itself: each level carries a
 * copy of its warehouse's is_readonly (`wh_readonly`, with the warehouse's `ro_seq` as `wh_ro_seq`),
 * so stock writes of different SKUs of one warehouse share no row. A level without a copy is
 * writable. Used with `:false` = false among the write's values.
 */
const LEVEL_WRITABLE = '(attribute_not_exists(wh_readonly) OR wh_readonly = :false)';
const levelReadonly = (old: Row | undefined) => old?.wh_readonly === true;
/** What a new level copies from its warehouse (see LEVEL_WRITABLE). */
const levelFlag = (flag: WarehouseFlag) => ({ wh_readonly: flag.readonly, wh_ro_seq: flag.seq });

/** A new level's row with every index key it belongs under; `version` and the policy come from levelBirth (items.ts). */
export function levelRow(tenant: string, level: Level, version = 1, copies: { policy?: LevelPolicy; flag?: WarehouseFlag } = {}): Row {
  return LevelEntity.row(tenant, level, { version, ...(copies.policy ?? {}), ...(copies.flag ? levelFlag(copies.flag) : {}) });
}

/** The level is gone: its warehouse went with it (WAREHOUSE_NOT_FOUND), or only the level did (a read for the error's code alone). */
export async function levelGone(tenant: string, iid: string, wid: string): Promise<DomainError> {
  return (await warehouseFlag(tenant, wid)) ? levelNotFound(iid, wid) : notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
}

/** Level ids are derived from the item and the location, so a record id (records family) finds its level. */
export const levelId = (iid: string, wid: string) => `ilev_${iid}:${wid}`;
export function parseLevelId(id: string): { iid: string; wid: string } | undefined {
  const m = /^ilev_([^:]+):(.+)$/.exec(id);
  return m ? { iid: m[1], wid: m[2] } : undefined;
}

/** A fresh level of an item at a warehouse, with these figures. */
function newLevel(rec: ItemRecord, wid: string, f: NewLevelFigures, now: string): Level {
  const iid = rec.item.id;
  return {
    id: levelId(iid, wid),
    inventory_item_id: iid,
    location_id: wid,
    sku: rec.item.sku,
    stocked_quantity: f.stocked,
    reserved_quantity: 0,
    incoming_quantity: f.incoming,
    safety_stock: f.safety,
    available_quantity: f.stocked - f.safety,
    reorder_level: f.fields?.reorder_level ?? 0,
    reorder_quantity: f.fields?.reorder_quantity ?? 0,
    bin_location: f.fields?.bin_location ?? null,
    metadata: f.fields?.metadata ?? null,
    created_at: now,
    updated_at: now,
    ...(f.inTransit ? { in_transit_quantity: f.inTransit } : {}),
  };
}

/** A new level's figures; `inTransit`: units already shipped toward it (a transfer's ship). */
interface NewLevelFigures {
  stocked: number;
  incoming: number;
  safety: number;
  fields?: LevelFields;
  inTransit?: number;
}

// ======================================================================================
// Reads: the level as shown (hot levels with their parked units as free stock)
// ======================================================================================

export interface HotSnapshot {
  /** The level row as stored (raw figures). */
  level: Row;
  /** The level's hot_shards (0: not hot). */
  n: number;
  /** allot of every shard the level may have (0 for a missing one). */
  allots: number[];
  /** Σ allot: units parked in shards. */
  parked: number;
  /** Each shard's map of pending reservations (the escrow design: reserved, not yet rows). */
  pending: Record<string, PendingEntry>[];
}

/** A level's hot_shards (0: not hot), on a row as stored or a level as read (it carries the attribute). */
const hotShardsOf = (row: Row | Level | undefined): number => Number((row as Row | undefined)?.hot_shards ?? 0);
/** Whether a level (a row as stored, or as read) is in hot mode: the door's knowledge, for readers outside it. */
export const isHotLevel = (l: Row | Level | undefined): boolean => hotShardsOf(l) > 0;

/** The one shape of an Update of a level row in a transaction: every level write below is built by it. */
function levelUpdate(
  tenant: string,
  iid: string,
  wid: string,
  label: string,
  update: string,
  condition: string,
  values: Row,
  names?: Record<string, string>,
): TxAction {
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ...(names && Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      },
    },
  };
}

/**
 * The level (consistent GetItem), then its shards 0..max(n, hot_shards)−1 (consistent BatchGetItem).
 * Not one snapshot: no write can cancel it (a TransactGetItems is cancelled by any write to its
 * items on AWS), and every guard built from it conditions on exactly what it read.
 */
export async function readHot(tenant: string, iid: string, wid: string, n = 0, read?: Row): Promise<HotSnapshot | undefined> {
  const level = read ?? (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ConsistentRead: true }))).Item;
  noteHot(tenant, iid, wid, hotShardsOf(level), designOf(level));
  if (!level) return undefined;
  const m = Math.max(n, hotShardsOf(level));
  const shardRows = m ? await batchGet(Array.from({ length: m }, (_, k) => keys.hotShard(tenant, iid, wid, k))) : [];
  const allots = Array.from({ length: m }, () => 0);
  const pending: Record<string, PendingEntry>[] = Array.from({ length: m }, () => ({}));
  for (const r of shardRows) {
    allots[Number(r.shard_no)] = Number(r.allot ?? 0);
    pending[Number(r.shard_no)] = byRid(r.pending as Record<string, PendingEntry> | undefined, iid, wid);
  }
  return { level, n: hotShardsOf(level), allots, parked: allots.reduce((a, b) => a + b, 0), pending };
}

/**
 * The level as the API shows it: parked units are free stock, not reserved. It carries, under a
 * symbol (never in an answer), the units its escrow maps held pending as read (pendingShown).
 */
function shownRow(s: HotSnapshot): Row {
  const pending = s.pending.reduce((n, p) => n + Object.values(p).reduce((m, e) => m + Number(e.q), 0), 0);
  return {
    ...s.level,
    available_quantity: Number(s.level.available_quantity) + s.parked,
    reserved_quantity: Number(s.level.reserved_quantity) - s.parked,
    [PENDING]: pending,
  } as Row;
}
const PENDING = Symbol('units pending in the escrow maps');

/**
 * Units reserved at a level, as shown (shownLevels), by reservations still pending in its escrow maps
 * (not yet rows, so not in the reservation index): reconcile counts them with the rows. 0 for a level
 * not hot, or a row not read through the door.
 */
export const pendingShown = (row: Row): number => Number((row as Record<symbol, unknown>)[PENDING] ?? 0);

/** The keys of every level these items may have at these warehouses, for a read by key (store/items.ts loadItemsWithLevels); the door builds level keys. */
export const levelReadKeys = (tenant: string, iids: string[], wids: string[]) => iids.flatMap((iid) => wids.map((wid) => keys.level(tenant, iid, wid)));

/**
 * Level rows as the API shows them (hot levels: their shards read; others untouched, no request).
 * The row is read before its shards, so a park that commits between the two reads shows up in the
 * shards but not in the row: reserved would show below 0 by the units parked. Such a read is torn
 * for certain and is read again (at most SHOWN_READS times); any other move between the reads errs
 * on the safe side (reserved shown higher, available lower, by that move's units). `from`: where the
 * caller read the rows. Rows read from the table (consistent reads) are the first pass's level rows, so
 * a hot level costs its shards' read only; an index's rows (eventually consistent) are read again.
 */
export async function shownLevels<R extends Row>(tenant: string, rows: R[], from: 'table' | 'index'): Promise<R[]> {
  if (!rows.some((r) => hotShardsOf(r) > 0)) return rows;
  return Promise.all(
    rows.map(async (r) => {
      if (hotShardsOf(r) === 0) return r;
      // a row the caller read from the table (consistent, before the shards) is the first pass's row
      const shown = await shownHot(tenant, String(r.inventory_item_id), String(r.location_id), hotShardsOf(r), from === 'table' ? r : undefined);
      return shown ? ({ ...r, ...shown } as R) : r;
    }),
  );
}
const SHOWN_READS = 3;

/** The level as shown (shownRow), read again while torn; `first`: the first pass's level row, already read. */
async function shownHot(tenant: string, iid: string, wid: string, n: number, first?: Row): Promise<Row | undefined> {
  let shown: Row | undefined;
  for (let i = 0; i < SHOWN_READS && (!shown || Number(shown.reserved_quantity) < 0); i++) {
    const s = await readHot(tenant, iid, wid, n, i === 0 ? first : undefined);
    if (!s) return undefined;
    shown = shownRow(s);
  }
  return shown;
}

/** The levels of these (item, warehouse) pairs that exist, shown, with the version each was read at; `requests` counted. */
export async function readLevels(
  tenant: string,
  pairs: { iid: string; wid: string }[],
): Promise<{ rows: { level: Level; version: number }[]; requests: number }> {
  const read = await batchRead(pairs.map((p) => keys.level(tenant, p.iid, p.wid)));
  return {
    rows: (await shownLevels(tenant, read.rows, 'table')).map((r) => ({ level: strip<Level>(r), version: Number(r.version ?? 1) })),
    requests: read.requests,
  };
}

/** The level's low-stock flag sequence (the stream consumer's order). */
export async function levelFlagSeq(tenant: string, iid: string, wid: string): Promise<string | undefined> {
  const res = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.level(tenant, iid, wid), ProjectionExpression: 'flag_seq', ConsistentRead: true }),
  );
  return res.Item?.flag_seq as string | undefined;
}

// ---------- which levels are hot, as this process last saw them (a hint: every write is guarded) ----------

const HINT_MS = 60_000;
const hints = new Map<string, { n: number; design: HotDesign; until: number }>();
const hintKey = (tenant: string, iid: string, wid: string) => `${tenant}\u0000${iid}\u0000${wid}`;
function hotHint(tenant: string, iid: string, wid: string): number {
  const h = hints.get(hintKey(tenant, iid, wid));
  return !h || h.until < Date.now() ? 0 : h.n;
}
/** The design of a level this process knows is hot (undefined: not known to be hot). */
function hotDesignHint(tenant: string, iid: string, wid: string): HotDesign | undefined {
  const h = hints.get(hintKey(tenant, iid, wid));
  return !h || h.until < Date.now() ? undefined : h.design;
}
function noteHot(tenant: string, iid: string, wid: string, n: number, design: HotDesign = hotDesign()): void {
  const k = hintKey(tenant, iid, wid);
  if (n > 0) {
    hints.set(k, { n, design, until: Date.now() + HINT_MS });
    hotItems.set(`${tenant}\u0000${iid}`, Date.now() + HINT_MS);
    if (hotItems.size > HOT_ITEMS_MAX) hotItems.delete(hotItems.keys().next().value as string);
  } else hints.delete(k);
}
/** Items with a level this process knew hot (a hint, as `hints`), for store/items.ts loadItemForAnswer. */
const hotItems = new Map<string, number>();
const HOT_ITEMS_MAX = 10_000;
export const itemKnownHot = (tenant: string, iid: string): boolean => (hotItems.get(`${tenant}\u0000${iid}`) ?? 0) > Date.now();

// ======================================================================================
// Hot mode: the actions that move units between a level and its shards
// ======================================================================================

function shardMove(tenant: string, iid: string, wid: string, k: number, delta: number, now: string, label: string): TxAction {
  const values: Row = { ':d': delta, ':now': now, ':zero': 0, ':iid': iid, ':wid': wid, ':k': k, ':e': 'hot_shard', ':nomap': {} };
  return {
    label,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.hotShard(tenant, iid, wid, k),
        UpdateExpression:
          'SET allot = if_not_exists(allot, :zero) + :d, updated_at = :now, inventory_item_id = :iid, location_id = :wid, shard_no = :k, entity = :e, pending = if_not_exists(pending, :nomap)',
        // I3: a shard never goes below zero
        ...(delta < 0
          ? { ConditionExpression: 'allot >= :take', ExpressionAttributeValues: { ...values, ':take': -delta } }
          : { ExpressionAttributeValues: values }),
      },
    },
  };
}

/**
 * I6: every parked unit back, the shards exactly as `s` read them (an empty one checked to be still
 * empty); shards from `keepBelow` on are deleted (hot mode narrowed or off). `pulled` units go to the
 * level's available in the caller's level update (and off its reserved).
 */
function pullAll(
  tenant: string,
  s: HotSnapshot,
  now: string,
  label: string,
  keepBelow = s.allots.length,
  drain = false,
): { pulled: number; actions: TxAction[] } {
  const iid = String(s.level.inventory_item_id);
  const wid = String(s.level.location_id);
  const actions = s.allots.map((a, k): TxAction => {
    const Key = keys.hotShard(tenant, iid, wid, k);
    // `drain` (a change of the level's design): every shard kept also has no pending reservation
    const values: Row = drain ? { ':a': a, ':none': 0 } : { ':a': a };
    const allotIs = a === 0 ? 'attribute_not_exists(allot) OR allot = :a' : 'allot = :a';
    const exact = drain ? `(${allotIs}) AND ${NO_PENDING}` : allotIs;
    // a shard goes only with no pending reservation in its map (the escrow design: they become rows first)
    if (k >= keepBelow)
      return {
        label: `${label}#shard:${k}`,
        item: {
          Delete: {
            TableName: tableName(),
            Key,
            ConditionExpression: `(${allotIs}) AND ${NO_PENDING}`,
            ExpressionAttributeValues: { ...values, ':none': 0 },
          },
        },
      };
    if (a === 0)
      return {
        label: `${label}#shard:${k}`,
        item: { ConditionCheck: { TableName: tableName(), Key, ConditionExpression: exact, ExpressionAttributeValues: values } },
      };
    return {
      label: `${label}#shard:${k}`,
      item: {
        Update: {
          TableName: tableName(),
          Key,
          UpdateExpression: 'SET allot = :zero, updated_at = :now',
          ConditionExpression: exact,
          ExpressionAttributeValues: { ...values, ':zero': 0, ':now': now },
        },
      },
    };
  });
  return { pulled: s.parked, actions };
}

/** The hot state a level write saw, as a condition (I6, I7): still not hot, or hot with `n` shards. */
function hotIs(n: number, values: Row): string {
  if (!n) return 'attribute_not_exists(hot_shards)';
  values[':hot_n'] = n;
  return 'hot_shards = :hot_n';
}

/**
 * `available −= d, reserved += d` on the level (d > 0 parks, d < 0 unparks), while its hot_shards is
 * `n`; the version moves (I7). Parking takes free units only and leaves available ≥ 0 (I6).
 */
function levelPark(tenant: string, iid: string, wid: string, d: number, n: number, now: string): TxAction {
  const values: Row = { ':d': d, ':now': now, ':one': 1 };
  let condition = `attribute_exists(PK) AND ${hotIs(n, values)}`;
  if (d > 0) {
    values[':min'] = d;
    condition += ' AND available_quantity >= :min';
  }
  return levelUpdate(
    tenant,
    iid,
    wid,
    'level',
    'SET available_quantity = available_quantity - :d, reserved_quantity = reserved_quantity + :d, updated_at = :now, version = if_not_exists(version, :one) + :one',
    condition,
    values,
  );
}

/**
 * The target split of a hot level's free units: evenly over its shards, nothing left on the level.
 * Undefined when the split is close enough to leave alone (so the background does not touch the
 * shards reservations are using more than it must).
 */
export function rebalancePlan(s: HotSnapshot): number[] | undefined {
  if (s.n === 0) return undefined;
  const free = Math.max(0, Number(s.level.available_quantity) + s.parked);
  const target = Array.from({ length: s.n }, (_, k) => Math.floor(free / s.n) + (k < free % s.n ? 1 : 0));
  const levelFree = Number(s.level.available_quantity);
  const current = Array.from({ length: Math.max(s.n, s.allots.length) }, (_, k) => s.allots[k] ?? 0);
  const mean = free / s.n;
  const starved = target.some((t, k) => current[k] < t / 4 && t - current[k] >= 1);
  const stray = current.slice(s.n).some((a) => a > 0);
  if (levelFree <= 0 && !starved && !stray && !(free === 0 && s.parked > 0)) return undefined;
  if (levelFree > 0 && levelFree < Math.max(1, mean / 4) && !starved && !stray) return undefined;
  return current.map((_, k) => target[k] ?? 0);
}

/**
 * Park and rebalance a hot level (the stream consumer's part of hot mode): one transaction of
 * relative moves planned from one read; refused when a reservation or another rebalance moved a
 * figure first (the next record tries again). Returns the level as shown and whether units moved.
 */
export async function settleHotLevel(
  tenant: string,
  iid: string,
  wid: string,
  now: string,
): Promise<{ shown: Row; moved: boolean; snapshot: string; pendingShards: number[] } | undefined> {
  const s = await readHot(tenant, iid, wid, hotHint(tenant, iid, wid));
  if (!s) return undefined;
  const shown = shownRow(s);
  const snapshot = `${s.level.updated_at}-${s.allots.join('.')}`;
  const pendingShards = s.pending.flatMap((p, k) => (Object.keys(p).length ? [k] : []));
  const plan = rebalancePlan(s);
  if (!plan) return { shown, moved: false, snapshot, pendingShards };
  const actions: TxAction[] = [];
  let toShards = 0;
  plan.forEach((t, k) => {
    const d = t - (s.allots[k] ?? 0);
    if (d !== 0) actions.push(shardMove(tenant, iid, wid, k, d, now, `shard:${k}`));
    toShards += d;
  });
  if (!actions.length) return { shown, moved: false, snapshot, pendingShards };
  actions.push(levelPark(tenant, iid, wid, toShards, s.n, now));
  return { shown, moved: !(await transactOrCancelled(actions)), snapshot, pendingShards };
}

/**
 * The stream consumer's (and the local settle loop's) turn at a hot level: park or rebalance
 * (settleHotLevel), then turn every pending reservation of its escrow shards into its row
 * (materialiseShard). Returns settleHotLevel's answer.
 */
export async function settleAndMaterialise(tenant: string, iid: string, wid: string, now: string): Promise<Awaited<ReturnType<typeof settleHotLevel>>> {
  const settled = await settleHotLevel(tenant, iid, wid, now);
  if (settled) await inParallel(settled.pendingShards, (k) => materialiseShard(tenant, iid, wid, k).then(() => undefined), SHARDS_AT_ONCE);
  return settled;
}

/** A stream record's row is hot-mode state (a shard, or a level in hot mode before or after). */
export function isHotRow(row: Row | undefined, prev?: Row | undefined): boolean {
  if (row?.entity === 'hot_shard' || prev?.entity === 'hot_shard') return true;
  return (row?.entity === 'level' || prev?.entity === 'level') && (hotShardsOf(row) > 0 || hotShardsOf(prev) > 0);
}

// ======================================================================================
// Reserving and releasing (reservations, their changes, holds)
// ======================================================================================

/**
 * `reserved += q, available −= q` at a level (I4): available stays ≥ floor (null: no floor),
 * reserved ≤ MAX_QUANTITY (I3). With `policyVersion`, the level's copy of the backorder policy is the
 * one the floor was computed from. `pulled`: parked units the same transaction takes back (I6).
 */
function take(
  tenant: string,
  iid: string,
  wid: string,
  q: number,
  floor: number | null,
  now: string,
  label: string,
  g: { policyVersion?: number; hot?: number; pulled?: number } = {},
): TxAction {
  const pulled = g.pulled ?? 0;
  const values: Row = { ':q': q - pulled, ':now': now, ':maxr': MAX_QUANTITY - q };
  let condition = 'attribute_exists(PK) AND reserved_quantity <= :maxr';
  if (floor !== null) {
    values[':min'] = floor + q - pulled;
    condition += ' AND available_quantity >= :min';
  }
  if (g.policyVersion !== undefined) {
    values[':pv'] = g.policyVersion;
    condition += ' AND policy_version = :pv';
  }
  // spending backorders (or planning with parked units) only in the hot state read (I6)
  if (g.hot !== undefined) condition += ` AND ${hotIs(g.hot, values)}`;
  return levelUpdate(
    tenant,
    iid,
    wid,
    label,
    'SET reserved_quantity = reserved_quantity + :q, available_quantity = available_quantity - :q, updated_at = :now',
    condition,
    values,
  );
}

/** `reserved −= q, available += q` at a level (release): reserved never below zero (I2, I3). */
export function releaseAt(tenant: string, iid: string, wid: string, q: number, now: string, label = 'level'): TxAction {
  return levelUpdate(
    tenant,
    iid,
    wid,
    label,
    'SET reserved_quantity = reserved_quantity - :q, available_quantity = available_quantity + :q, updated_at = :now',
    'attribute_exists(PK) AND reserved_quantity >= :q',
    { ':q': q, ':now': now },
  );
}

/** Several reservations given back at once: each level once, with the sum (a transaction touches an item once). */
export function releaseAtLevels(tenant: string, reservations: { inventory_item_id: string; location_id: string; quantity: number }[], now: string): TxAction[] {
  const perLevel = new Map<string, { iid: string; wid: string; q: number }>();
  for (const r of reservations) {
    const k = `${r.inventory_item_id}:${r.location_id}`;
    const cur = perLevel.get(k) ?? { iid: r.inventory_item_id, wid: r.location_id, q: 0 };
    cur.q += r.quantity;
    perLevel.set(k, cur);
  }
  return [...perLevel.values()].map(({ iid, wid, q }) => releaseAt(tenant, iid, wid, q, now, `level:${iid}:${wid}`));
}

/** The label of a level's take in a multi-level transaction. */
export const levelLabel = (iid: string, wid: string) => `level:${iid}:${wid}`;

/** What a take at a level was planned with (to say why it was refused). */
interface TakePlan {
  iid: string;
  wid: string;
  q: number;
  floor: number | null;
  pulled: number;
  hot: number;
  policyVersion: number;
  /** The floor was raised to 0 to leave the shards alone: a shortage means "plan again", not an answer. */
  raised: boolean;
}

/**
 * The actions that reserve `q` at each level of `perLevel` (wid → q) of one item: per level one take
 * checking the floor and the level's copy of the policy (the item row only for a level without a
 * copy), and at a hot level every parked unit taken back in the same transaction (I6, I8). Labels:
 * `label(wid)` for the take, `<label>#shard:k` for its shards, `item:<iid>` for the item's policy check.
 */
export async function reserveAtLevels(
  tenant: string,
  rec: ItemRecord,
  perLevel: Map<string, number>,
  floor: number | null,
  now: string,
  label = (wid: string) => levelLabel(rec.item.id, wid),
): Promise<{ actions: TxAction[]; plans: Map<string, TakePlan> }> {
  const iid = rec.item.id;
  const actions: TxAction[] = [];
  const plans = new Map<string, TakePlan>();
  let legacy = false;
  for (const [wid, q] of perLevel) {
    const lv = rec.levels.find((l) => l.location_id === wid);
    const hot = hotShardsOf(lv);
    let pulled = 0;
    let levelFloor = floor;
    if (hot) {
      const s = await readHot(tenant, iid, wid, hot);
      if (s && s.n && Number(s.level.available_quantity) >= q) {
        // the level's own free units cover it: take them, never below zero (I6), shards untouched
        levelFloor = 0;
      } else if (s && s.n) {
        const p = pullAll(tenant, s, now, label(wid));
        pulled = p.pulled;
        actions.push(...p.actions);
      }
    }
    const pv = rec.levelPolicy[wid];
    if (pv === undefined) legacy = true;
    // the hot state is pinned when parked units are pulled, and whenever backorders may be spent
    const pinHot = pulled > 0 || (hot > 0 && levelFloor !== 0) || levelFloor !== 0;
    actions.push(
      take(tenant, iid, wid, q, levelFloor, now, label(wid), {
        policyVersion: pv === undefined ? undefined : rec.policyVersion,
        hot: pinHot ? hot : undefined,
        pulled,
      }),
    );
    plans.set(label(wid), { iid, wid, q, floor: levelFloor, pulled, hot, policyVersion: rec.policyVersion, raised: levelFloor !== floor });
  }
  if (legacy) actions.push(policyCheck(tenant, rec, `item:${iid}`));
  return { actions, plans };
}

/** The item's backorder policy is the one the floor was computed from (levels without a copy of it). */
function policyCheck(tenant: string, rec: ItemRecord, label: string): TxAction {
  return {
    label,
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
 * Why the takes of `plans` were refused: a DomainError to answer (no level, too little stock, a bound),
 * or RETRY (the policy, the hot state, a shard or anything else moved since it was read). The one
 * place a refused take becomes an answer.
 */
export function takeRefusal(refused: Cancellation, plans: Map<string, TakePlan>, sku: (iid: string) => string): DomainError | typeof RETRY {
  for (const [label, old] of refused.failed) {
    const plan = plans.get(label);
    if (!plan) continue;
    if (!old) return levelNotFound(plan.iid, plan.wid);
    if (old.policy_version !== undefined && Number(old.policy_version) !== plan.policyVersion) return RETRY;
    if (hotShardsOf(old) !== plan.hot) return RETRY;
    if (Number(old.reserved_quantity) > MAX_QUANTITY - plan.q) return quantityTooLarge('quantity', Number(old.reserved_quantity), plan.q, MAX_QUANTITY);
    const available = Number(old.available_quantity) + plan.pulled;
    if (plan.raised) return RETRY;
    if (plan.floor !== null && available < plan.floor + plan.q) return insufficientStock(sku(plan.iid), plan.wid, available, plan.q);
    return RETRY;
  }
  return RETRY; // a shard, the item's policy or a row of the caller's moved: read again
}

/**
 * Reserve at one level, with `rows` (the reservation's Put) in the same transaction. A hot level:
 * from one of its shards; otherwise, and when no shard has enough alone, from the level (its parked
 * units taken back in the same transaction). Answers INSUFFICIENT_STOCK with the figure shown.
 */
export async function reserve(ctx: WriteContext, r: { iid: string; wid: string; q: number }, rows: TxAction[]): Promise<void> {
  const { tenant } = ctx;
  const hot = hotHint(tenant, r.iid, r.wid);
  if (hot > 0 && (await reserveFromShards(ctx, r, hot, rows))) return;
  const fast = await reserveWithoutBackorders(ctx, r, rows, hot === 0);
  if (fast) return;
  await withRetry(async () => {
    const rec = await loadItem(tenant, r.iid);
    if (!rec) throw notFound('Inventory item', r.iid, 'INVENTORY_NOT_FOUND');
    const { actions, plans } = await reserveAtLevels(tenant, rec, new Map([[r.wid, r.q]]), floorOf(rec), ctx.now, () => 'level');
    const refused = await transactOrCancelled([...actions, ...rows]);
    if (!refused) return true;
    const why = takeRefusal(refused, plans, () => rec.item.sku ?? rec.item.id);
    if (why === RETRY) return RETRY;
    throw why;
  });
}

/** The lowest available a reservation of this item may leave (I4), or null. */
function floorOf(rec: ItemRecord): number | null {
  if (!rec.item.allow_backorder) return 0;
  return rec.item.backorder_limit === null ? null : -rec.item.backorder_limit;
}

/**
 * The common case in one request: an item that allows no backorders has a floor of 0, so the
 * transaction checks that policy on the level's copy of it instead of reading the item first. True
 * when it reserved; false when the general path must decide. Insufficient stock is answered here
 * (the level is not hot: a hot level's free units are in its shards).
 */
async function reserveWithoutBackorders(ctx: WriteContext, r: { iid: string; wid: string; q: number }, rows: TxAction[], tryShards: boolean): Promise<boolean> {
  const { tenant } = ctx;
  const level = take(tenant, r.iid, r.wid, r.q, 0, ctx.now, 'level');
  const update = level.item.Update!;
  update.ConditionExpression += ' AND policy_allow_backorder = :false';
  (update.ExpressionAttributeValues as Row)[':false'] = false;
  const refused = await transactOrCancelled([level, ...rows]);
  if (!refused) return true;
  const f = refused.failed;
  if (!f.has('level')) return false;
  const old = f.get('level');
  if (!old || old.policy_allow_backorder !== false) return false;
  if (Number(old.reserved_quantity) > MAX_QUANTITY - r.q) throw quantityTooLarge('quantity', Number(old.reserved_quantity), r.q, MAX_QUANTITY);
  if (hotShardsOf(old) > 0) {
    noteHot(tenant, r.iid, r.wid, hotShardsOf(old), designOf(old));
    return tryShards && (await reserveFromShards(ctx, r, hotShardsOf(old), rows));
  }
  throw insufficientStock(String(old.sku ?? r.iid), r.wid, Number(old.available_quantity), r.q);
}

/**
 * A reservation at a hot level: `allot −= q IF allot ≥ q` on a shard chosen at random, `rows` in the
 * same transaction. A shard held by another transaction, or throttled past the SDK's retries, sends
 * it to the next shard at once; a shard with too little, to a shard that has enough (one read says
 * which). False when no shard can serve it alone: the level's own path decides.
 */
async function reserveFromShards(ctx: WriteContext, r: { iid: string; wid: string; q: number }, n: number, rows: TxAction[]): Promise<boolean> {
  const { tenant } = ctx;
  let k = Math.floor(Math.random() * n);
  for (let attempt = 0, busy = 0, throttled = 0; attempt < 3; ) {
    let refused: Cancellation | undefined;
    try {
      refused = await transactOrCancelled([shardMove(tenant, r.iid, r.wid, k, -r.q, ctx.now, `shard:${k}`), ...rows], { retryConflicts: false });
    } catch (err) {
      if ((err as Error).name !== 'ProvisionedThroughputExceededException') throw err;
      if (++throttled >= n) throw err; // every shard's partition is out of capacity: the answer (429)
      k = (k + 1) % n;
      continue;
    }
    if (!refused) return true;
    if (refused.conflict && refused.failed.size === 0) {
      busy++;
      k = (k + 1) % n;
      if (busy % n === 0) {
        if (busy >= 15 * n) throw changingTooFast();
        await new Promise((res) => setTimeout(res, Math.random() * Math.min(250, 5 * 2 ** (busy / n))));
      }
      continue;
    }
    if (!refused.failed.has(`shard:${k}`)) return false; // a row of the caller's: the level's path answers it
    attempt++;
    const s = await readHot(tenant, r.iid, r.wid, n);
    if (!s || s.n === 0) return false;
    n = s.n;
    const rich = s.allots.flatMap((a, i) => (i < s.n && a >= r.q ? [i] : []));
    const available = Number(s.level.available_quantity) + s.parked;
    if (!rich.length && s.level.policy_allow_backorder === false && available < r.q) {
      throw insufficientStock(String(s.level.sku ?? r.iid), r.wid, available, r.q);
    }
    if (!rich.length) return false;
    k = rich[Math.floor(Math.random() * rich.length)];
  }
  return false;
}

// ======================================================================================
// Hot mode, escrow design: one conditional UpdateItem per reservation (docs/design.md, "Escrow")
// ======================================================================================

/**
 * A reservation taken from an escrow shard but not yet a row: the shard's `pending.<rid>`. Small on
 * purpose (every write of the shard costs its size): the quantity, when, by whom, the optional fields
 * as given, and the request's Idempotency-Key record (`i`: its key after `T#<tenant>#IDEM#`; `s`: the
 * status a retry answers with), which the materialiser completes with the row.
 */
export interface PendingEntry {
  q: number;
  at: string;
  by: string;
  li?: string;
  d?: string;
  m?: Record<string, unknown>;
  x?: string;
  i?: string;
  s?: number;
  /** 1: taken since tombstones (its materialiser writes no marker: the row, or its tombstone, says it was made). */
  t?: number;
}

export type HotDesign = 'escrow' | 'shards';
/**
 * The design of a hot level that names none (`hot_design` unset): escrow (issue 22's numbers: its
 * take is not bound by a transaction's hold), or `INVENTORY_HOT_DESIGN=shards`, the transactional shards.
 */
export const hotDesign = (): HotDesign => (process.env.INVENTORY_HOT_DESIGN === 'shards' ? 'shards' : 'escrow');
/** Which design a hot level's reservations use: its own `hot_design`, else the service's default. */
export const designOf = (row: Row | Level | undefined): HotDesign => {
  const d = (row as Row | undefined)?.hot_design;
  return d === 'escrow' || d === 'shards' ? d : hotDesign();
};
/**
 * Whether a new reservation at this level should carry an escrow id (store/reservations.ts): the
 * level is known hot with the escrow design, or (not known hot) the service's default is escrow.
 */
export const escrowLikely = (tenant: string, iid: string, wid: string): boolean => (hotDesignHint(tenant, iid, wid) ?? hotDesign()) === 'escrow';
/** At most this many pending reservations on one shard (a full map sends the take to the next shard). */
export const ESCROW_MAX_PENDING = 32;
/**
 * Shards this process found with a full map or no units left, until when it sends them no take
 * (SHARD_SKIP_MS, EMPTY_SKIP_MS after; a full one counts as blocked, an empty one as too poor). Bounded: cleared
 * when it reaches SHARD_SKIPS_MAX.
 */
const shardSkips = new Map<string, { until: number; full: boolean }>();
const SHARD_SKIP_MS = 50;
/** An empty shard is skipped longer: it fills again only by a rebalance, which the level's path does not need. */
const EMPTY_SKIP_MS = 1000;
const SHARD_SKIPS_MAX = 10_000;
/** The waits (ms, before jitter) after a pass in which every shard refused and some were throttled or held. */
const ESCROW_BLOCKED_WAITS = [25, 50, 100, 200, 400];
/**
 * No wait starts this long after the take began (the SDK's own retries of a throttled write take up
 * to seconds): the answer (429 or 409) stays well inside the function's 10 s.
 */
const ESCROW_TAKE_BUDGET_MS = 2000;
/** A reservation whose entry is larger (description, metadata) takes the transactional path instead. */
const ESCROW_ENTRY_BYTES = 400;
/** Clocks of two functions differ by less than this (the sweep stamp's guard, below). */
export const escrowMarginMs = () => Number(process.env.INVENTORY_ESCROW_CLOCK_MARGIN_MS ?? 20);
const NO_PENDING = '(attribute_not_exists(pending) OR size(pending) = :none)';
/**
 * A marker beside the reservation's row, written with it by the materialiser before tombstones (an
 * entry without `t`): this id's entry became a row once. Still read for such entries.
 */
const escrowMarker = (tenant: string, rid: string) => ({ PK: keys.reservation(tenant, rid).PK, SK: 'ESCROW' });
/** How long a marker, or a released escrow reservation's tombstone, stays. */
const MARKER_TTL_SECONDS = 24 * 3600;
/** A released escrow reservation's row as it stays (store/levels.ts reservationRemoval). */
const TOMBSTONE = 'reservation-tombstone';
/** Every attribute of a reservation row besides its key: a tombstone keeps none (no index holds it). */
const RESERVATION_ATTRIBUTES = [...fieldsOf('reservation'), ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];

/**
 * A reservation's row as a read should see it: a tombstone (a released escrow reservation) is no
 * reservation. undefined for either.
 */
export const liveReservation = (row: Row | undefined): Row | undefined => (row && row.entity !== TOMBSTONE ? row : undefined);

/**
 * A new reservation's row by the level's path may replace a tombstone of its id (an Idempotency-Key
 * used again after its record expired): the tombstone only stops a materialiser, and a pending entry
 * of that id is made a row (takeOverEscrow) before a keyed request takes the level's path.
 */
export const NEW_RESERVATION_GUARD = {
  ConditionExpression: 'attribute_not_exists(PK) OR entity = :tombstone',
  ExpressionAttributeValues: { ':tombstone': TOMBSTONE },
};

/**
 * The write that ends a reservation's row (release, fulfilment), under `guard` (its condition as
 * read). An escrow id's row stays as a tombstone, its attributes and index keys gone (no list or
 * count sees it), for MARKER_TTL_SECONDS: its entry may still be in a shard map (a materialiser that
 * made the row but had not removed the entry yet, or whose removal was refused), and the
 * materialiser's `attribute_not_exists` Put of that entry is refused by the tombstone, so the
 * reservation is never made twice. Any other id's row is deleted.
 */
export function reservationRemoval(
  tenant: string,
  rid: string,
  guard: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown>; ExpressionAttributeNames?: Record<string, string> },
): TxAction['item'] {
  const Key = keys.reservation(tenant, rid);
  if (!parseEscrowId(rid)) return { Delete: { TableName: tableName(), Key, ...guard } };
  return {
    Update: {
      TableName: tableName(),
      Key,
      UpdateExpression: `SET entity = :tombstone, #ttl = :ttl REMOVE ${RESERVATION_ATTRIBUTES.join(', ')}`,
      ConditionExpression: guard.ConditionExpression,
      ExpressionAttributeNames: { ...guard.ExpressionAttributeNames, '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ...guard.ExpressionAttributeValues,
        ':tombstone': TOMBSTONE,
        ':ttl': Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS,
      },
    },
  };
}

/**
 * An escrow reservation's id names its level (`res_<26>:<iid>:<wid>`), so a read or a write of a
 * reservation still pending finds its shard map; undefined when the ids would not parse back.
 */
export function escrowId(base: string, iid: string, wid: string): string | undefined {
  if (iid.includes(':') || wid.includes(':') || base.includes(':')) return undefined;
  const rid = `${base}:${iid}:${wid}`;
  return rid.length <= 128 ? rid : undefined;
}
export function parseEscrowId(rid: string): { iid: string; wid: string } | undefined {
  const parts = rid.split(':');
  return parts.length === 3 && parts[0].startsWith('res_') ? { iid: parts[1], wid: parts[2] } : undefined;
}
/**
 * An escrow id's name in its shard's map: its first part (`res_<26>`); the shard already names the
 * level, and a take costs the shard's size in write units, so each entry carries 30 bytes of name, not
 * the whole id's 90. A name with ':' is a whole id (an entry written before this).
 */
export const escrowKey = (rid: string): string => rid.split(':')[0];
/** The id of a map entry's name at its level (either form). */
export const ridOfKey = (key: string, iid: string, wid: string): string => (key.includes(':') ? key : `${key}:${iid}:${wid}`);
/** A shard's map as stored, its entries named by their whole ids. */
const byRid = (m: Record<string, PendingEntry> | undefined, iid: string, wid: string): Record<string, PendingEntry> =>
  Object.fromEntries(Object.entries(m ?? {}).map(([key, e]) => [ridOfKey(key, iid, wid), e]));

/** The shard of an id (FNV-1a): a retry of a request meets its own entry there. */
export function escrowShardOf(rid: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rid.length; i++) {
    h ^= rid.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

const IDEM_PREFIX = (tenant: string) => `T#${tenant}#IDEM#`;

function entryOf(tenant: string, r: Reservation, claim: PendingClaim | undefined): PendingEntry {
  const e: PendingEntry = { q: r.quantity, at: r.created_at, by: r.created_by, t: 1 };
  if (r.line_item_id !== null) e.li = r.line_item_id;
  if (r.description !== null) e.d = r.description;
  if (r.metadata !== null) e.m = r.metadata;
  if (r.expires_at !== null) e.x = r.expires_at;
  if (claim) {
    e.i = claim.Key.PK.slice(IDEM_PREFIX(tenant).length);
    e.s = claim.status;
  }
  return e;
}

/** The reservation a pending entry stands for. */
export function reservationOfEntry(rid: string, iid: string, wid: string, e: PendingEntry): Reservation {
  return {
    id: rid,
    inventory_item_id: iid,
    location_id: wid,
    quantity: Number(e.q),
    line_item_id: e.li ?? null,
    description: e.d ?? null,
    metadata: e.m ?? null,
    expires_at: e.x ?? null,
    created_by: e.by,
    created_at: e.at,
    updated_at: e.at,
  };
}

/**
 * A new reservation at a level this process knows is hot, with the escrow design on: the escrow take
 * (reserveEscrow). undefined: the reservation takes the level's path (reserve), which learns whether
 * the level is hot.
 */
export async function reserveHot(ctx: WriteContext, r: Reservation): Promise<Reservation | undefined> {
  if (!parseEscrowId(r.id) || hotDesignHint(ctx.tenant, r.inventory_item_id, r.location_id) !== 'escrow') return undefined;
  const n = hotHint(ctx.tenant, r.inventory_item_id, r.location_id);
  return n > 0 ? reserveEscrow(ctx, r, n) : undefined;
}

/**
 * The escrow take: `allot −= q, pending.<rid> = entry` on shard hash(rid) mod n, IF allot ≥ q AND
 * the id is not pending AND the map has room AND the shard was last swept before this take began
 * (less the clock margin). One plain conditional UpdateItem: the units and the reservation (with its
 * Idempotency-Key record's name) in one write, not bound by a transaction's hold.
 *
 * - The id is already pending (the SDK re-sent a take that landed, or a keyed retry): that entry is
 *   the answer (a replay).
 * - Swept since this take began: a take that landed may have become a row and left the map, so the
 *   row, its tombstone or (before tombstones) its marker says whether it did (then it is the answer);
 *   if not, the take is sent again.
 * - Too few units: the next shard, not tried again by this request (an empty one not by this process
 *   for EMPTY_SKIP_MS); after every shard, or when half of them or more had too few at a pass's end,
 *   undefined (the level's path).
 * - Throttled, held by a transaction, or a full map: the next shard too; when a pass of every shard
 *   found some so, the pass is tried again after a short wait (ESCROW_BLOCKED_WAITS), and after the
 *   last wait a throttle is the answer (429: the level is past its partitions' capacity), or else
 *   409 "changing too fast" (maps still full: the consumer is behind), never the transactional path,
 *   which costs those partitions more and holds them for a commit (under load it made every take
 *   wait for its commits: issue 22's P7 fell to 1/T).
 * - A keyed retry whose claim replaced an earlier attempt's (not `fresh`): that attempt may have taken
 *   units that a materialiser turns into a row at any moment; every pending entry of the level is made
 *   a row first (completing the key's record), then the level's path runs, its transaction carrying
 *   the claim's flip `state = in_progress AND token = mine`: refused when the earlier attempt's row
 *   completed the record (store/db.ts then answers it as this request's own commit). undefined.
 */
export async function reserveEscrow(ctx: WriteContext, r: Reservation, n: number): Promise<Reservation | undefined> {
  const { tenant } = ctx;
  const iid = r.inventory_item_id;
  const wid = r.location_id;
  const claim = pendingClaim();
  if (claim?.committed) return undefined;
  // a keyed retry that took over an earlier attempt's claim: its caller made the level's pending entries rows (takeOverEscrow)
  if (claim && !claim.fresh) return undefined;
  const entry = entryOf(tenant, r, claim);
  if (Buffer.byteLength(JSON.stringify(entry)) > ESCROW_ENTRY_BYTES) return undefined;
  const rid = r.id;
  let k = escrowShardOf(rid, n);
  // a pass: every shard tried once (moved counts them); `blocked`: how many of those were throttled or
  // held by a transaction, `lastBlock`: the last such answer
  let blocked = 0;
  let lastBlock: unknown;
  // shards found with too few units: not tried again by this request (a refused take costs the
  // shard's size; at the end of stock every pass would spend the partitions on empty shards)
  const poor = new Set<number>();
  const start = Date.now();
  for (let moved = 0, swept = 0, pass = 0; swept < 5; ) {
    if (moved >= n) {
      // every shard refused this pass. Throttled, held or full ones are waited for
      // (ESCROW_BLOCKED_WAITS, jittered, within ESCROW_TAKE_BUDGET_MS): the transactional path would
      // write the same partitions at a higher cost and hold them for a commit (issue 22's P7: it
      // collapsed to 1/T). None blocked (all too few units), or half the shards or more too poor (the
      // end of the level's stock: its path answers exactly, and does not retry the empty shards):
      // the level's path. Still blocked after the waits: the throttle answered (429), or 409.
      if (!blocked || poor.size * 2 >= n) return undefined;
      if (pass >= ESCROW_BLOCKED_WAITS.length || Date.now() - start > ESCROW_TAKE_BUDGET_MS) {
        if (isThrottled(lastBlock)) throw lastBlock;
        throw changingTooFast();
      }
      await new Promise((res) => setTimeout(res, ESCROW_BLOCKED_WAITS[pass] * (0.5 + Math.random())));
      pass++;
      moved = 0;
      blocked = 0;
    }
    if (poor.has(k)) {
      k = (k + 1) % n;
      moved++;
      continue;
    }
    const since = Date.now() - escrowMarginMs();
    const shardId = `${tenant}\u0000${iid}\u0000${wid}\u0000${k}`;
    if (shardSkips.size >= SHARD_SKIPS_MAX) shardSkips.clear();
    const skip = shardSkips.get(shardId);
    if (skip && skip.until > Date.now()) {
      // found full or too poor a moment ago: not sent (a refused take costs the shard's size in write units)
      if (skip.full) blocked++;
      else poor.add(k);
      k = (k + 1) % n;
      moved++;
      continue;
    }
    try {
      const taken = await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.hotShard(tenant, iid, wid, k),
          UpdateExpression: 'SET allot = allot - :q, pending.#rid = :e, updated_at = :now',
          ConditionExpression:
            'allot >= :q AND attribute_not_exists(pending.#rid) AND attribute_not_exists(pending.#whole) AND size(pending) < :max AND (attribute_not_exists(swept_at) OR swept_at < :since)',
          // the entry under its map name; and none under the whole id (an attempt before the names were shortened)
          ExpressionAttributeNames: { '#rid': escrowKey(rid), '#whole': rid },
          ExpressionAttributeValues: { ':q': r.quantity, ':e': entry, ':now': ctx.now, ':max': ESCROW_MAX_PENDING, ':since': since },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      noteCommittedElsewhere(rid);
      await settleOwnEntry(tenant, r, entry, k, taken.$metadata?.attempts === 1);
      return r;
    } catch (err) {
      const e = err as Error & { Item?: Record<string, unknown> };
      if (e.name === 'ValidationException') return undefined; // a shard without its map (parked before the map existed)
      if (e.name === 'TransactionConflictException' || isThrottled(e)) {
        k = (k + 1) % n; // held by a transaction (a rebalance) or throttled: the next shard
        moved++;
        blocked++;
        lastBlock = e;
        continue;
      }
      if (e.name !== 'ConditionalCheckFailedException') throw err;
      const old = e.Item ? oldImage(e.Item) : undefined;
      if (!old) return undefined; // no such shard (hot mode changed): the level's path
      const mine = byRid(old.pending as Record<string, PendingEntry> | undefined, iid, wid)[rid];
      if (mine) {
        noteCommittedElsewhere(rid);
        return reservationOfEntry(rid, iid, wid, mine);
      }
      if (Number(old.swept_at ?? 0) >= since) {
        swept++;
        if (await escrowMarked(tenant, rid)) {
          noteCommittedElsewhere(rid);
          return (await findReservationRow(tenant, rid)) ?? r;
        }
        continue; // not ours: take again, with a new start
      }
      // too few units, or a full map (the consumer is behind: waited for, as a throttle)
      if (Number(old.allot ?? 0) < r.quantity) {
        poor.add(k);
        // a shard with nothing left: the others' takes skip it a moment too (a rebalance refills it)
        if (Number(old.allot ?? 0) === 0) shardSkips.set(shardId, { until: Date.now() + EMPTY_SKIP_MS, full: false });
      } else if (Object.keys(old.pending ?? {}).length >= ESCROW_MAX_PENDING) {
        blocked++;
        shardSkips.set(shardId, { until: Date.now() + SHARD_SKIP_MS, full: true });
      }
      k = (k + 1) % n;
      moved++;
    }
  }
  return undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: an old image as the SDK gives it (marshalled or not)
function oldImage(item: Record<string, any>): Row {
  const first = Object.values(item)[0];
  return first &&
    typeof first === 'object' &&
    !Array.isArray(first) &&
    Object.keys(first).length === 1 &&
    /^(S|N|M|L|BOOL|NULL|SS|NS|B)$/.test(Object.keys(first)[0])
    ? unmarshall(item)
    : item;
}

/** Whether an id's entry became a row once: its row or tombstone exists, or (an entry before tombstones) its marker. */
async function escrowMarked(tenant: string, rid: string): Promise<boolean> {
  return (await batchGet([keys.reservation(tenant, rid), escrowMarker(tenant, rid)])).length > 0;
}

async function findReservationRow(tenant: string, rid: string): Promise<Reservation | undefined> {
  const row = liveReservation((await db().send(new GetCommand({ TableName: tableName(), Key: keys.reservation(tenant, rid), ConsistentRead: true }))).Item);
  return row ? strip<Reservation>(row) : undefined;
}

/** A reservation still pending in its level's escrow map (a read: nothing written), or undefined. */
export async function pendingReservation(tenant: string, rid: string): Promise<Reservation | undefined> {
  const at = parseEscrowId(rid);
  if (!at) return undefined;
  const s = await readHot(tenant, at.iid, at.wid);
  const e = s?.pending.find((p) => p[rid])?.[rid];
  return e && reservationOfEntry(rid, at.iid, at.wid, e);
}

/**
 * A keyed reservation whose claim replaced an earlier attempt's (not `fresh`), at any level and in
 * either design (the earlier attempt may have taken from an escrow map before the level's design or
 * this process's view of it changed): every pending entry of the level becomes a row first
 * (completing the key's record), so the retry's transaction, which carries the claim's flip, is
 * refused when the earlier attempt's reservation exists — and the units are never taken twice.
 */
export async function takeOverEscrow(tenant: string, iid: string, wid: string): Promise<void> {
  const claim = pendingClaim();
  if (claim && !claim.fresh && !claim.committed) await materialiseLevel(tenant, iid, wid);
}

/** Every pending reservation of a hot level made a row (a keyed retry's first step; a request acting on a pending reservation). */
export async function materialiseLevel(tenant: string, iid: string, wid: string): Promise<void> {
  const s = await readHot(tenant, iid, wid);
  if (!s) return;
  await inParallel(
    s.pending.flatMap((p, k) => (Object.keys(p).length ? [k] : [])),
    (k) => materialiseShard(tenant, iid, wid, k).then(() => undefined),
    SHARDS_AT_ONCE,
  );
}
/** Shards materialised side by side: all of them (a level has at most 32). */
const SHARDS_AT_ONCE = 32;
/**
 * Entries of a shard made rows in one transaction (up to 3 items each): a shard's full map is two
 * transactions side by side, so one throttled or contended item refuses half the entries, not all.
 */
const ENTRIES_PER_TX = 16;

/**
 * The materialiser: every pending entry of shard k becomes its reservation row, off the hot item,
 * ENTRIES_PER_TX side by side. An entry taken since tombstones (`t`): its row by one conditional
 * PutItem (`attribute_not_exists`: refused by the row or a released one's tombstone, so an entry
 * becomes a row once), in one transaction with the completion of its request's Idempotency-Key record
 * (`committed`, its status and the id, conditioned on the record as read) when it names one still
 * open. An entry before tombstones: the row, its marker (`attribute_not_exists`) and that
 * completion, ENTRIES_PER_TX entries a transaction (one by one when that is refused); those whose
 * marker exists (made by a run whose removal was refused) are only removed, their markers read
 * first. Then the ids written leave the map in one update that stamps `swept_at` (never lowered)
 * after those completions. Returns the number of ids removed.
 */
export async function materialiseShard(tenant: string, iid: string, wid: string, k: number): Promise<number> {
  const Key = keys.hotShard(tenant, iid, wid, k);
  const shard = (await db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }))).Item;
  const pending = (shard?.pending as Record<string, PendingEntry> | undefined) ?? {};
  const names0 = Object.keys(pending);
  if (!names0.length) return 0;
  const all = names0.map((key) => ({ key, r: reservationOfEntry(ridOfKey(key, iid, wid), iid, wid, pending[key]), e: pending[key] }));
  // entries taken since tombstones (`t`): each its row's own conditional write, no marker, no
  // transaction unless its request's key record is completed with it (materialiseEntry)
  const fresh = all.filter(({ e }) => e.t);
  const legacy = all.filter(({ e }) => !e.t);
  // entries before tombstones made rows before (an earlier run whose removal was refused) are read,
  // not written again: their markers, one consistent BatchGet
  const marked = legacy.length ? new Set((await batchGet(legacy.map(({ r }) => escrowMarker(tenant, r.id)))).map((row) => String(row.PK))) : new Set();
  const markerPk = (rid: string) => escrowMarker(tenant, rid).PK;
  // `done`: the entries' names in the map (each made a row, or found made)
  const done: string[] = legacy.filter(({ r }) => marked.has(markerPk(r.id))).map(({ key }) => key);
  const entries = legacy.filter(({ r }) => !marked.has(markerPk(r.id)));
  const chunks: (typeof entries)[] = [];
  for (let i = 0; i < entries.length; i += ENTRIES_PER_TX) chunks.push(entries.slice(i, i + ENTRIES_PER_TX));
  await Promise.all(
    chunks.map(async (chunk) => {
      if (await materialiseTogether(tenant, chunk)) done.push(...chunk.map(({ key }) => key));
      else
        await inParallel(
          chunk,
          async ({ key, r, e }) => {
            if (await materialiseEntry(tenant, r, e)) done.push(key);
          },
          8,
        );
    }),
  );
  await inParallel(
    fresh,
    async ({ key, r, e }) => {
      if (await materialiseEntry(tenant, r, e)) done.push(key);
    },
    ENTRIES_PER_TX,
  );
  if (!done.length) return 0;
  return (await removeMade(Key, done)) ? done.length : 0;
}

/**
 * Entries made rows (or found made) leave their shard's map in one update that stamps `swept_at`
 * (never lowered; a take that began before it is refused, so a retried take of a removed entry cannot
 * take again); when a later stamp is there (another materialiser), that stamp is after these rows too
 * and they are only removed. false: held or throttled past whileHeld's tries (the next run removes
 * them, found made).
 */
async function removeMade(Key: { PK: string; SK: string }, done: string[]): Promise<boolean> {
  const names = Object.fromEntries(done.map((key, i) => [`#p${i}`, key]));
  const remove = `REMOVE ${done.map((_, i) => `pending.#p${i}`).join(', ')}`;
  const sweptAt = Date.now();
  const stamped = await whileHeld(() =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: `SET swept_at = :t ${remove}`,
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(swept_at) OR swept_at < :t)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':t': sweptAt },
      }),
    ),
  );
  if (stamped === HELD) return false;
  if (stamped) return true;
  return removeUnstamped(Key, done);
}

/**
 * The taker settles its own entry at once: its row (materialiseEntry: the consumer's own write, the
 * key's record completed with it), then the entry out of the map. The map then holds an entry only
 * while its taker works, so a shard stays small (a take costs one write unit below 1 KB) and the
 * consumer's pace no longer bounds the level's: on AWS the consumer reads a stream's shard at most 4
 * times a second (Lambda's base polling rate for DynamoDB streams), so 32 entries a map would cap
 * each shard at 128 reservations/s. Whatever is left (a taker that died, a throttle) the consumer
 * settles as before.
 *
 * `onlyAttempt`: the take was sent once (the SDK's first attempt landed), so no other send of it can
 * land later, and the entry leaves the map by a plain REMOVE (removeUnstamped), without the `swept_at`
 * stamp. The stamp is for a take sent again: it refuses every take that began less than the clock
 * margin before it, so a stamp per reservation refused the level's other takes in flight (each
 * refusal a write unit, a read of the rows and a take again), and more of them the faster the level:
 * at 250 takes/s a shard, the 20 ms margin alone holds 5 stamps. A take sent more than once is
 * removed with the stamp (removeMade, as the consumer).
 */
async function settleOwnEntry(tenant: string, r: Reservation, e: PendingEntry, k: number, onlyAttempt: boolean): Promise<void> {
  try {
    if (!(await materialiseEntry(tenant, r, e))) return;
    const Key = keys.hotShard(tenant, r.inventory_item_id, r.location_id, k);
    if (onlyAttempt) await removeUnstamped(Key, [escrowKey(r.id)]);
    else await removeMade(Key, [escrowKey(r.id)]);
  } catch (err) {
    // throttled past the SDK's retries, or contended past ours (a keyed entry's transaction): the
    // reservation stands (its take committed), its entry left to the consumer
    if (isThrottled(err) || (err instanceof DomainError && err.code === 'CONFLICT')) return;
    throw err;
  }
}

/**
 * Entries out of their shard's map with no stamp: the taker's own (its take sent once:
 * settleOwnEntry), or entries a later stamp already covers (removeMade). false: held or throttled
 * past whileHeld's tries.
 */
async function removeUnstamped(Key: { PK: string; SK: string }, done: string[]): Promise<boolean> {
  const removed = await whileHeld(() =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: `REMOVE ${done.map((_, i) => `pending.#p${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: Object.fromEntries(done.map((key, i) => [`#p${i}`, key])),
      }),
    ),
  );
  return removed !== HELD;
}

const HELD = Symbol('held');
const THROTTLED_TRIES = 4;
/**
 * A plain write of a shard while a transaction holds it is refused (TransactionConflictException, on
 * AWS as in the front: hot mode off, a rebalance): tried again after the holder's commit, 7 times from
 * 20 ms doubling (about 2.5 s), then HELD. A write still throttled after the SDK's own retries (the
 * shard's partition busy with takes) is tried again THROTTLED_TRIES times from 25 ms doubling, then
 * HELD (the next run removes the entries, found made): the removal is what empties the map, and a
 * full map refuses every take at the cost of its size, so it is not given up at the first throttle.
 * A failed condition is undefined (unlessConditionFails).
 */
async function whileHeld<T>(write: () => Promise<T>): Promise<T | undefined | typeof HELD> {
  for (let attempt = 0, throttled = 0; ; attempt++) {
    try {
      return await unlessConditionFails(write);
    } catch (err) {
      if (isThrottled(err)) {
        if (throttled >= THROTTLED_TRIES) return HELD;
        await new Promise((r) => setTimeout(r, 25 * 2 ** throttled++));
        continue;
      }
      if ((err as Error).name !== 'TransactionConflictException') throw err;
      if (attempt >= 7) return HELD;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}

/**
 * The writes that make one pending entry its row: the row (only if absent: no row, no tombstone),
 * its marker (only if absent; an entry before tombstones) and, for a keyed entry whose request's
 * record is still open, that record's completion conditioned on it as read now. Labels end in
 * `suffix` (several entries in one transaction).
 */
async function entryActions(tenant: string, r: Reservation, e: PendingEntry, suffix = ''): Promise<TxAction[]> {
  const actions: TxAction[] = [];
  if (!e.t)
    actions.push({
      label: `marker${suffix}`,
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...escrowMarker(tenant, r.id), entity: 'escrow-marker', ttl: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    });
  // absent: not made before (a tombstone, a released reservation's row, is present)
  actions.push({
    label: `reservation${suffix}`,
    item: { Put: { TableName: tableName(), Item: ReservationEntity.row(tenant, r), ConditionExpression: 'attribute_not_exists(PK)' } },
  });
  if (e.i) {
    const Key = { PK: `${IDEM_PREFIX(tenant)}${e.i}`, SK: 'IDEM' };
    const rec = (await db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }))).Item;
    if (rec && (rec.state === 'in_progress' || rec.state === 'released')) {
      const values: Row = { ':committed': 'committed', ':status': Number(e.s ?? 201), ':ref': r.id, ':seen': rec.state };
      let condition = '#state = :seen';
      if (rec.token !== undefined) {
        values[':token'] = rec.token;
        condition += ' AND #token = :token';
      }
      actions.push({
        label: `idempotency${suffix}`,
        item: {
          Update: {
            TableName: tableName(),
            Key,
            UpdateExpression: 'SET #state = :committed, #status = :status, #ref = :ref REMOVE lock_until',
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#state': 'state', '#status': 'status', '#ref': 'ref', ...(rec.token !== undefined ? { '#token': 'token' } : {}) },
            ExpressionAttributeValues: values,
          },
        },
      });
    }
  }
  return actions;
}

/**
 * Entries before tombstones made rows in one transaction (the common case: one consumer, no entry
 * made before): a transaction holds its items for its commit time, so one per shard rather than one
 * per entry kept the materialiser's pace at the reservations' (issue 22's P8). false when refused for any
 * reason (an entry made before, a record that moved, contention): the caller settles them one by one.
 */
async function materialiseTogether(tenant: string, entries: { r: Reservation; e: PendingEntry }[]): Promise<boolean> {
  if (entries.length < 2) return false;
  const actions = (await Promise.all(entries.map(({ r, e }, j) => entryActions(tenant, r, e, `#${j}`)))).flat();
  if (actions.length > TX_LIMIT) return false;
  try {
    return !(await withoutClaim(() => transactOrCancelled(actions)));
  } catch (err) {
    if (err instanceof DomainError && err.code === 'CONFLICT') return false;
    throw err;
  }
}

/**
 * One entry made a row (true), or found made already (true); false when it could not be settled now.
 * The row alone (an entry since tombstones, without a key record to complete) is one plain
 * conditional PutItem: refused, the row or its tombstone is there (made before).
 */
async function materialiseEntry(tenant: string, r: Reservation, e: PendingEntry): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const actions = await entryActions(tenant, r, e);
    if (actions.length === 1) {
      try {
        await withoutClaim(() => unlessConditionFails(() => db().send(new PutCommand(actions[0].item.Put!))));
        return true;
      } catch (err) {
        // throttled, or the row held by a transaction (its release): the next run
        if (isThrottled(err) || (err as Error).name === 'TransactionConflictException') return false;
        throw err;
      }
    }
    let refused: Cancellation | undefined;
    try {
      refused = await withoutClaim(() => transactOrCancelled(actions));
    } catch (err) {
      // contention past the retries (another materialiser on the same entries): left for the next run
      if (err instanceof DomainError && err.code === 'CONFLICT') return false;
      throw err;
    }
    if (!refused) return true;
    if (refused.failed.has('marker')) return true; // made a row before (its row may be released since: not again)
    if (refused.failed.has('reservation')) return true; // a row of this id exists: nothing to make
    // the key's record moved (completed, taken over): read it again
  }
  return false;
}

/**
 * Fulfilment at a level: stocked and reserved both drop by `q` (available unchanged), on the version
 * read (the ledger's `before` is that version's stocked), never below zero (I3).
 */
export function consumeAt(
  tenant: string,
  iid: string,
  wid: string,
  c: { q: number; version: number; stockedBefore: number },
  now: string,
  label = 'level',
): TxAction {
  return levelUpdate(
    tenant,
    iid,
    wid,
    label,
    'SET stocked_quantity = :after, reserved_quantity = reserved_quantity - :q, version = :next, updated_at = :now',
    'version = :seen AND stocked_quantity >= :q AND reserved_quantity >= :q',
    { ':after': c.stockedBefore - c.q, ':q': c.q, ':next': c.version + 1, ':seen': c.version, ':now': now },
  );
}

/** Why a consumption was refused: negative stock (an answer) or a moved version (RETRY). */
export function consumeRefusal(refused: Cancellation, label: string, c: { q: number; version: number }): DomainError | typeof RETRY {
  const old = refused.failed.get(label);
  if (old && Number(old.version) === c.version && Number(old.stocked_quantity) < c.q)
    return negativeQuantity('stocked_quantity', Number(old.stocked_quantity), -c.q);
  return RETRY;
}

// ======================================================================================
// Stock writes (admin set / adjust, bulk and upload rows, transfers) and the level's life
// ======================================================================================

/**
 * A hot level's parked units, for a write on the version read that lowers its available (I6): every
 * one comes back in the write's transaction. Nothing for a level not hot, or a write that does not
 * lower available (no request).
 */
async function pullFor(
  tenant: string,
  level: { inventory_item_id: string; location_id: string; hot_shards?: number },
  lowersAvailable: boolean,
  now: string,
  label: string,
  keepBelow?: number,
  drain = false,
): Promise<{ pulled: number; actions: TxAction[] }> {
  if (!level.hot_shards || (!lowersAvailable && keepBelow === undefined)) return { pulled: 0, actions: [] };
  const s = await readHot(tenant, level.inventory_item_id, level.location_id, level.hot_shards);
  if (!s || !s.allots.length) return { pulled: 0, actions: [] };
  return pullAll(tenant, s, now, label, keepBelow, drain);
}

/**
 * `SET stocked = after, available += Δ` on the exact version read (I7), at a level whose warehouse
 * takes stock writes (I5), stocked within [0, MAX_QUANTITY] (I3); `minAvailable`: available must
 * cover it (a transfer never takes reserved or safety stock). A hot level's parked units come back in
 * the same transaction when available goes down (I6).
 */
export async function setStocked(
  tenant: string,
  l: Level,
  version: number,
  after: number,
  now: string,
  label: string,
  opts: { minAvailable?: number } = {},
): Promise<{ actions: TxAction[]; pulled: number }> {
  const lowers = after < l.stocked_quantity || opts.minAvailable !== undefined;
  const hot = await pullFor(tenant, l, lowers, now, label);
  const values: Row = { ':after': after, ':d': after - l.stocked_quantity + hot.pulled, ':seen': version, ':next': version + 1, ':now': now, ':false': false };
  let condition = `version = :seen AND ${LEVEL_WRITABLE}`;
  if (after > l.stocked_quantity) {
    values[':max_before'] = MAX_QUANTITY - (after - l.stocked_quantity);
    condition += ' AND stocked_quantity <= :max_before';
  }
  if (opts.minAvailable !== undefined) {
    values[':minav'] = opts.minAvailable - hot.pulled;
    condition += ' AND available_quantity >= :minav';
  }
  if (hot.pulled) values[':pulled'] = hot.pulled;
  return {
    pulled: hot.pulled,
    actions: [
      levelUpdate(
        tenant,
        l.inventory_item_id,
        l.location_id,
        label,
        `SET stocked_quantity = :after, available_quantity = available_quantity + :d${hot.pulled ? ', reserved_quantity = reserved_quantity - :pulled' : ''}, version = :next, updated_at = :now`,
        condition,
        values,
      ),
      ...hot.actions,
    ],
  };
}

/**
 * Why a stock write on the version read was refused: the level is gone, its warehouse is read-only,
 * too little available for a transfer (the figure shown), or RETRY (the version or a shard moved).
 */
export async function stockRefusal(
  tenant: string,
  refused: Cancellation,
  label: string,
  l: { inventory_item_id: string; location_id: string; sku?: string | null },
  version: number,
  opts: { minAvailable?: number; pulled?: number } = {},
): Promise<DomainError | typeof RETRY | undefined> {
  const f = refused.failed;
  if (!f.has(label)) return undefined;
  const old = f.get(label);
  if (!old) return levelGone(tenant, l.inventory_item_id, l.location_id);
  if (levelReadonly(old)) return readonlyWarehouse(l.location_id);
  if (Number(old.version) === version && opts.minAvailable !== undefined) {
    const available = Number(old.available_quantity) + (opts.pulled ?? 0);
    if (available < opts.minAvailable) return insufficientStock(String(l.sku ?? l.inventory_item_id), l.location_id, available, opts.minAvailable);
  }
  return RETRY;
}

/** A new level's Put (it must not exist), with the item's level_seq move and the warehouse's count and flag guard. */
export async function newLevelActions(
  tenant: string,
  rec: ItemRecord,
  wid: string,
  figures: NewLevelFigures,
  now: string,
  opts: { label?: string; productId?: string; warehouseLabel?: string } = {},
): Promise<{ actions: TxAction[]; flag: WarehouseFlag } | undefined> {
  const birth = levelBirth(tenant, rec, { productId: opts.productId });
  const flag = await warehouseFlag(tenant, wid, rec.item.id);
  if (!flag) return undefined;
  const level = newLevel(rec, wid, figures, now);
  const mustBeWritable = figures.stocked > 0 || figures.incoming > 0 || (figures.inTransit ?? 0) > 0;
  return {
    flag,
    actions: [
      {
        label: opts.label ?? 'level',
        item: {
          Put: {
            TableName: tableName(),
            Item: levelRow(tenant, level, birth.version, { policy: birth.policy, flag }),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      birth.action,
      // the warehouse exists (and is writable if stock arrives with the level), its read-only flag is
      // the one the level copies; it counts its levels
      warehouseLevelCount(flag.counter, 1, { mustBeWritable, flag, label: opts.warehouseLabel }),
    ],
  };
}

/**
 * A level creation's warehouse guard failed: gone (no old image), read-only while stock arrives, or
 * its read-only flag moved since the level copied it (RETRY).
 */
export function warehouseRefusal(
  refused: Cancellation,
  wid: string,
  flag: WarehouseFlag | undefined,
  mustBeWritable: boolean,
  label = 'warehouse',
): DomainError | typeof RETRY | undefined {
  if (!refused.failed.has(label)) return undefined;
  const old = refused.failed.get(label);
  if (!old) return notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
  if (mustBeWritable && old.is_readonly === true && Number(old.ro_seq ?? 0) === flag?.seq) return readonlyWarehouse(wid);
  return RETRY;
}

export async function createLevel(ctx: WriteContext, iid: string, input: NewLevel): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const wid = input.location_id;
    const stocked = input.stocked_quantity ?? 0;
    const incoming = input.incoming_quantity ?? 0;
    const rec = await requireItem(tenant, iid);
    if (input.product_id && rec.item.product_id && rec.item.product_id !== input.product_id) {
      throw otherProduct(rec.item.sku ?? iid, rec.item.product_id, input.product_id);
    }
    const made = await newLevelActions(tenant, rec, wid, { stocked, incoming, safety: input.safety_stock ?? 0, fields: input }, now, {
      productId: input.product_id,
    });
    if (!made) throw notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
    const actions = made.actions;
    const ledger = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: iid,
      warehouse_id: wid,
      before: 0,
      reason: input.reason ?? 'initial',
      note: input.note,
      reference: input.reference,
      created_by: ctx.by,
      at: now,
    };
    if (stocked > 0) actions.push(ledgerPut({ ...ledger, field: 'stocked_quantity', after: stocked }));
    if (incoming > 0) actions.push(ledgerPut({ ...ledger, field: 'incoming_quantity', after: incoming }));
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const f = refused.failed;
    if (f.has('item')) {
      const old = f.get('item');
      if (!old) throw notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
      if (input.product_id && old.product_id && old.product_id !== input.product_id)
        throw otherProduct(String(old.sku ?? iid), old.product_id, input.product_id);
      return RETRY;
    }
    const wh = warehouseRefusal(refused, wid, made.flag, stocked > 0 || incoming > 0);
    if (wh === RETRY) return RETRY;
    if (wh) throw wh;
    if (f.has('level')) throw new DomainError('CONFLICT', `Item ${iid} is already stocked at location ${wid}`);
    return RETRY;
  });
}

export interface LevelChange extends LevelFields {
  /** Relative change of stocked_quantity (the adjust endpoint); exclusive with stocked_quantity. */
  adjustment?: number;
  reason?: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  /** Compare-and-set: the write applies only while stocked_quantity equals this. */
  expected_quantity?: number;
  /** Hot mode's shard count (0: off), set in the same transaction as the rest (I8). */
  hot_shards?: number;
  /** Hot mode's design at this level (needs hot mode); unset: kept while hot, the service's default when turned on. */
  hot_design?: HotDesign;
}

/**
 * Absolute set or relative adjustment of one level, with its ledger rows, in one transaction.
 * `before` comes from a read; the write is conditioned on the level's version (I7), so it applies to
 * exactly the state it was computed from (retried when the version moved). A change of `hot_shards`
 * goes in the same transaction: every parked unit back on the level, shards beyond the new count
 * deleted, the count set — so a refused request leaves hot mode as it was (I8). A change of the
 * level's design (`hot_design`) is made only while no shard holds a pending reservation: every shard
 * in the transaction conditions on an empty map, and a refusal by one makes the level's pending
 * entries rows (materialiseLevel) and plans again — an entry is never left to a design that would
 * not see it.
 */
export async function changeLevel(ctx: WriteContext, iid: string, wid: string, change: LevelChange): Promise<void> {
  await withRetry(async () => {
    const rec = await requireItem(ctx.tenant, iid);
    const plan = await planChange(ctx, rec, wid, change, 'level');
    const refused = await transactOrCancelled(plan.actions);
    if (!refused) {
      plan.done();
      return true;
    }
    const answer = await plan.refusal(refused);
    if (answer && answer !== RETRY) throw answer;
    return RETRY;
  });
}

/** A planned change of one level: its actions (level, hot shards, ledger), what to note once committed, and how to answer its refusal. */
interface ChangePlan {
  actions: TxAction[];
  done: () => void;
  /** The answer when this change's level guard failed (undefined: not this change's). */
  refusal: (refused: Cancellation) => Promise<DomainError | typeof RETRY | undefined>;
}

async function planChange(ctx: WriteContext, rec: ItemRecord, wid: string, change: LevelChange, label: string): Promise<ChangePlan> {
  const { tenant, now } = ctx;
  const iid = rec.item.id;
  const level = rec.levels.find((l) => l.location_id === wid);
  if (!level) throw levelNotFound(iid, wid);
  const version = rec.levelVersions[wid];
  if (change.expected_quantity !== undefined && change.expected_quantity !== level.stocked_quantity) {
    throw quantityMismatch(change.expected_quantity, level.stocked_quantity);
  }
  const stocked = change.adjustment !== undefined ? level.stocked_quantity + change.adjustment : (change.stocked_quantity ?? level.stocked_quantity);
  const incoming = change.incoming_quantity ?? level.incoming_quantity;
  const safety = change.safety_stock ?? level.safety_stock;
  const stockedDelta = stocked - level.stocked_quantity;
  if (change.adjustment !== undefined && stocked > MAX_QUANTITY) {
    throw quantityTooLarge('adjustment', level.stocked_quantity, change.adjustment, MAX_QUANTITY);
  }
  const availableDelta = stockedDelta - (safety - level.safety_stock);
  const hotNow = hotShardsOf(level);
  const hotNext = change.hot_shards ?? hotNow;
  if (change.hot_design !== undefined && hotNext === 0)
    throw validation('hot_design', 'needs hot mode: send it with hot_shards of 1 or more, or to a level in hot mode');
  const storedNow = (level as Row).hot_design as HotDesign | undefined;
  // the design stored on the row: the one given, else kept while the level stays hot; none when hot mode is off
  const storedNext = hotNext === 0 ? undefined : (change.hot_design ?? (hotNow > 0 ? storedNow : undefined));
  const designChanged = hotNow > 0 && hotNext > 0 && designOf(level) !== designOf({ hot_design: storedNext });
  const hotChanged = hotNext !== hotNow || designChanged;
  const e: Expr = setFields(newExpr(), {
    stocked_quantity: stocked,
    incoming_quantity: incoming,
    safety_stock: safety,
    reorder_level: change.reorder_level,
    reorder_quantity: change.reorder_quantity,
    bin_location: change.bin_location,
    metadata: change.metadata,
    updated_at: now,
    version: version + 1,
  });
  // a hot level's parked units come back when this write lowers available or changes the shard count (I6, I8)
  const hot = await pullFor(tenant, level, availableDelta < 0, now, label, hotChanged ? hotNext : undefined, designChanged);
  if (hotNext !== hotNow) {
    if (hotNext > 0) setFields(e, { hot_shards: hotNext });
    else (e.remove ??= []).push('hot_shards');
  }
  if (storedNext !== storedNow) {
    if (storedNext !== undefined) setFields(e, { hot_design: storedNext });
    else (e.remove ??= []).push('hot_design');
  }
  // available moves by a relative amount, so concurrent reservations (which do not move the
  // version) compose with this write instead of being overwritten
  addTo(e, 'available_quantity', availableDelta + hot.pulled);
  if (hot.pulled) addTo(e, 'reserved_quantity', -hot.pulled);
  e.values[':seen'] = version;
  let condition = 'version = :seen';
  if (stockedDelta < 0) {
    e.values[':min_stocked'] = -stockedDelta;
    condition += ' AND stocked_quantity >= :min_stocked';
  }
  if (stockedDelta > 0) {
    e.values[':max_before'] = MAX_QUANTITY - stockedDelta;
    condition += ' AND stocked_quantity <= :max_before';
  }
  if (change.expected_quantity !== undefined) {
    e.values[':expected'] = change.expected_quantity;
    condition += ' AND stocked_quantity = :expected';
  }
  const quantityChanged = stocked !== level.stocked_quantity || incoming !== level.incoming_quantity;
  if (quantityChanged) {
    e.values[':false'] = false;
    condition += ` AND ${LEVEL_WRITABLE}`;
  }
  if (incoming !== level.incoming_quantity) {
    e.values[':zero_open'] = 0;
    condition += ` AND ${INCOMING_SET_GUARD}`;
  }
  const actions: TxAction[] = [levelUpdate(tenant, iid, wid, label, updateParams(e).UpdateExpression, condition, e.values, e.names), ...hot.actions];
  const base = {
    tenant,
    sku: rec.item.sku,
    inventory_item_id: iid,
    warehouse_id: wid,
    reason: change.reason ?? 'correction',
    note: change.note,
    reference: change.reference,
    created_by: ctx.by,
    at: now,
  };
  if (stocked !== level.stocked_quantity) actions.push(ledgerPut({ ...base, field: 'stocked_quantity', before: level.stocked_quantity, after: stocked }));
  if (incoming !== level.incoming_quantity) actions.push(ledgerPut({ ...base, field: 'incoming_quantity', before: level.incoming_quantity, after: incoming }));
  return {
    actions,
    done: () => noteHot(tenant, iid, wid, hotNext, designOf({ hot_design: storedNext })),
    refusal: async (refused) => {
      const f = refused.failed;
      // hot mode switched (count or design) and a shard moved or holds a pending reservation: make the level's entries rows, then plan again
      if (hotChanged && [...f.keys()].some((k) => k.startsWith(`${label}#shard:`))) {
        await materialiseLevel(tenant, iid, wid);
        return RETRY;
      }
      if (!f.has(label)) return undefined;
      const old = f.get(label);
      if (!old) return levelGone(tenant, iid, wid);
      if (quantityChanged && levelReadonly(old)) return readonlyWarehouse(wid);
      if (incoming !== level.incoming_quantity && inboundOpen(old) > 0) return incomingManaged(wid, inboundOpen(old));
      if (old.version === version && stocked < 0) return negativeQuantity('stocked_quantity', Number(old.stocked_quantity), stockedDelta);
      if (old.version === version && stocked > MAX_QUANTITY) return quantityTooLarge('adjustment', Number(old.stocked_quantity), stockedDelta, MAX_QUANTITY);
      if (old.version === version && change.expected_quantity !== undefined) return quantityMismatch(change.expected_quantity, Number(old.stocked_quantity));
      return RETRY;
    },
  };
}

/** What a state write changes, relative to the level as read: named states and units in transit. */
export type StateDeltas = Partial<Record<StateField | 'in_transit_quantity', number>>;

/** A level's figure as read (0 for a state it never used). */
export const figureOf = (l: Level, f: StateField | 'in_transit_quantity' | 'stocked_quantity'): number => Number(l[f] ?? 0);

/**
 * Named states and units in transit (issue 25): one version-guarded write of a level's on-hand,
 * named states (damaged, quality_control) and in_transit, computed from the level as read at
 * `version` (I7) — so every figure after it is exact, which the ledger rows' before / after need.
 * Available moves by Δstocked − Δ(named states), relatively, so reservations (which do not move
 * the version) compose with it. Guards: the version; the warehouse takes stock writes (I5); every
 * figure within [0, MAX_QUANTITY] (I3: checked against the read, which the version pins; throws
 * when a caller asks for less than the level holds); with `minAvailable`, available covers it (a
 * move out of available or a ship never takes reserved or safety stock, and a move racing
 * reservations never leaves available negative: both condition on available). A hot level whose
 * available goes down gives back every parked unit in the same transaction (I6: the stock writes'
 * path; the consumer parks again) — a move out of available at a hot level is served, not refused.
 * The version moves (I7). Refusals: stockRefusal.
 */
export async function stateWrite(
  tenant: string,
  l: Level,
  version: number,
  change: { stocked?: number; states?: StateDeltas; minAvailable?: number },
  now: string,
  label: string,
): Promise<{ actions: TxAction[]; pulled: number }> {
  const dStocked = change.stocked ?? 0;
  const deltas = Object.entries(change.states ?? {}).filter(([, d]) => d) as [StateField | 'in_transit_quantity', number][];
  const dStates = deltas.reduce((a, [f, d]) => a + (f === 'in_transit_quantity' ? 0 : d), 0);
  const dAvailable = dStocked - dStates;
  for (const [f, d] of [['stocked_quantity', dStocked] as const, ...deltas]) {
    const after = figureOf(l, f) + d;
    if (after < 0 || after > MAX_QUANTITY) throw new RangeError(`${f} of ${l.id} would become ${after}`);
  }
  const hot = await pullFor(tenant, l, dAvailable < 0 || change.minAvailable !== undefined, now, label);
  const values: Row = { ':d': dAvailable + hot.pulled, ':seen': version, ':next': version + 1, ':now': now, ':false': false };
  const sets = ['available_quantity = available_quantity + :d', 'version = :next', 'updated_at = :now'];
  if (dStocked) {
    values[':stocked'] = l.stocked_quantity + dStocked;
    sets.unshift('stocked_quantity = :stocked');
  }
  for (const [f, d] of deltas) {
    values[`:${f}`] = figureOf(l, f) + d;
    sets.push(`${f} = :${f}`);
  }
  if (hot.pulled) {
    values[':pulled'] = hot.pulled;
    sets.push('reserved_quantity = reserved_quantity - :pulled');
  }
  let condition = `version = :seen AND ${LEVEL_WRITABLE}`;
  if (change.minAvailable !== undefined) {
    values[':minav'] = change.minAvailable - hot.pulled;
    condition += ' AND available_quantity >= :minav';
  }
  return {
    pulled: hot.pulled,
    actions: [levelUpdate(tenant, l.inventory_item_id, l.location_id, label, `SET ${sets.join(', ')}`, condition, values), ...hot.actions],
  };
}

/**
 * A level's Delete with its shards (all of them: a hot level goes with its shards in the same
 * transaction, I8), guarded by `condition` over the level's raw row. `reserved_quantity` in the
 * condition is compared with :parked (the units the shards hold, which count as reserved on the row:
 * I2) — so "nothing reserved" is `reserved_quantity = :parked`.
 */
export async function levelDeleteActions(
  tenant: string,
  l: Level,
  now: string,
  label: string,
  guard: { condition: string; values: Row; nothingReserved?: boolean },
): Promise<TxAction[]> {
  const hot = await pullFor(tenant, l, false, now, label, 0);
  if (guard.nothingReserved) guard = { ...guard, condition: `reserved_quantity = :parked AND ${guard.condition}` };
  return [
    {
      label,
      item: {
        Delete: {
          TableName: tableName(),
          Key: keys.level(tenant, l.inventory_item_id, l.location_id),
          // I9: a level goes only without open inbound lines (they would be left with no level to arrive at)
          ConditionExpression: `${guard.condition} AND ${INCOMING_SET_GUARD} AND ${hotIs(hotShardsOf(l), guard.values)}`,
          ExpressionAttributeValues: { ...guard.values, ':zero_open': 0, ...(guard.condition.includes(':parked') ? { ':parked': hot.pulled } : {}) },
        },
      },
    },
    ...hot.actions,
  ];
}

/** What a write of the level costs in actions of one transaction: the level, and a hot level's shards (it may take their units back). */
export const levelWriteCost = (l: Level | Row): number => 1 + hotShardsOf(l);

/** A refused level write's image shows open reservations (a hot level's parked units are not reservations). */
export const holdsReservations = (old: Row | undefined): boolean => !!old && !old.hot_shards && Number(old.reserved_quantity) > 0;

/**
 * A refused take's image, as figures to plan again from: the level and its version; undefined for a
 * hot level, whose row alone does not show its free units (read it again instead).
 */
export const plannableImage = (old: Row | undefined): { level: Level; version: number } | undefined =>
  old && !old.hot_shards && old.entity === 'level' ? { level: strip<Level>(old), version: Number(old.version ?? 1) } : undefined;

/** Remove a level. Guard: nothing reserved there at the moment of the write. Remaining stock is written off in the ledger. */
export async function deleteLevel(ctx: WriteContext, iid: string, wid: string): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const level = rec.levels.find((l) => l.location_id === wid);
    if (!level) throw levelNotFound(iid, wid);
    if (level.reserved_quantity > 0) throw levelHasReservations(iid, wid);
    const open = rec.inbound.filter((l) => l.warehouse_id === wid && l.status === 'open').length;
    if (open) throw levelHasInbound(wid, open);
    const actions: TxAction[] = [
      ...(await levelDeleteActions(tenant, level, now, 'level', {
        condition: 'version = :seen',
        values: { ':seen': rec.levelVersions[wid] },
        nothingReserved: true,
      })),
      warehouseLevelCount(await levelCounter(tenant, wid, iid), -1),
      ...writeOffLedger(ctx, level),
    ];
    const refused = await transactOrCancelled(actions);
    if (!refused) {
      noteHot(tenant, iid, wid, 0);
      return true;
    }
    const old = refused.failed.get('level');
    if (refused.failed.has('level') && !old) throw levelNotFound(iid, wid);
    if (inboundOpen(old) > 0) throw levelHasInbound(wid, inboundOpen(old));
    return RETRY; // moved meanwhile (a reservation, parking, a stock write): read again, which answers a reservation with 409
  });
}

// ======================================================================================
// Batches: several levels created, changed and removed in one transaction (the admin batch routes,
// an item created with its levels)
// ======================================================================================

/** One operation of a batch; `field` names it in the request (`create[0]`, `delete[2]`) for its answer. */
export interface BatchLevelRef {
  inventory_item_id: string;
  location_id: string;
  field: string;
}
export interface BatchLevelSet extends BatchLevelRef {
  stocked_quantity?: number;
  incoming_quantity?: number;
}
export interface LevelBatch {
  create: BatchLevelSet[];
  update: BatchLevelSet[];
  delete: BatchLevelRef[];
  /** Medusa's `force`: a level that still has stock may be removed (its stock written off in the ledger). */
  force?: boolean;
}

/** An answer about one operation of a batch: the field it came from leads its message and names it. */
export function atField(field: string, err: DomainError): DomainError {
  const out = new DomainError(err.code, `${field}: ${err.message}`, [{ field, message: err.message }], err.extra);
  out.negativeInput = err.negativeInput;
  return out;
}

/** Medusa's refusal of a level delete that would drop units (validateInventoryLevelsDelete). */
const levelNotEmpty = (iid: string, wid: string, what: 'incoming' | 'stocked') =>
  new DomainError(
    'HAS_RESERVATIONS',
    `Cannot remove Inventory Level ${iid} at Location ${wid} because there are ${what} items at location${what === 'stocked' ? ': send force: true to remove it and write its stock off' : ''}`,
  );

type BatchAnswer = (refused: Cancellation) => Promise<DomainError | typeof RETRY | undefined>;
/** A batch being planned: its actions, how to answer a refusal of each, the warehouse counters it moves (one action per row). */
interface BatchPlan {
  actions: TxAction[];
  answers: BatchAnswer[];
  counters: Map<string, { key: { PK: string; SK: string }; wid: string; delta: number; flag?: WarehouseFlag; writable: boolean; field: string }>;
  done: (() => void)[];
}

/** The same level named twice in one request: a 400 naming the second (a transaction touches a row once). */
function distinctLevels(ops: BatchLevelRef[]): void {
  const seen = new Map<string, string>();
  for (const op of ops) {
    const key = `${op.inventory_item_id} ${op.location_id}`;
    const first = seen.get(key);
    if (first) throw validation(op.field, `names the level of ${op.inventory_item_id} at ${op.location_id} again (${first})`);
    seen.set(key, op.field);
  }
}

function countAt(plan: BatchPlan, key: { PK: string; SK: string }, wid: string, delta: number, field: string, flag?: WarehouseFlag, writable = false) {
  const k = `${key.PK} ${key.SK}`;
  const c = plan.counters.get(k) ?? { key, wid, delta: 0, writable: false, field };
  c.delta += delta;
  if (flag) c.flag = flag;
  c.writable ||= writable;
  plan.counters.set(k, c);
}

/** Creations: one level_seq move per item (levelBirth; none for an item created in the same transaction), the level, its ledger rows. */
async function planCreates(ctx: WriteContext, plan: BatchPlan, create: BatchLevelSet[], recs: Map<string, ItemRecord>, newItemId?: string) {
  const { tenant, now } = ctx;
  const found = await Promise.all(
    create.map(async (c) => {
      const rec = recs.get(c.inventory_item_id)!;
      if (rec.levels.some((l) => l.location_id === c.location_id))
        throw atField(c.field, new DomainError('CONFLICT', `Item ${c.inventory_item_id} is already stocked at location ${c.location_id}`));
      const flag = await warehouseFlag(tenant, c.location_id, c.inventory_item_id);
      if (!flag) throw atField(c.field, notFound('Stock location', c.location_id, 'WAREHOUSE_NOT_FOUND'));
      return { c, rec, flag };
    }),
  );
  const births = new Map<string, ReturnType<typeof levelBirth>>();
  for (const [i, { c, rec, flag }] of found.entries()) {
    const iid = c.inventory_item_id;
    let birth = births.get(iid);
    if (!birth) {
      birth = levelBirth(tenant, rec, { label: `item:${iid}` });
      births.set(iid, birth);
      if (iid !== newItemId) plan.actions.push(birth.action);
    }
    const stocked = c.stocked_quantity ?? 0;
    const incoming = c.incoming_quantity ?? 0;
    const label = `create:${i}`;
    plan.actions.push({
      label,
      item: {
        Put: {
          TableName: tableName(),
          Item: levelRow(tenant, newLevel(rec, c.location_id, { stocked, incoming, safety: 0 }, now), birth.version, { policy: birth.policy, flag }),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    });
    countAt(plan, flag.counter, c.location_id, 1, c.field, flag, stocked > 0 || incoming > 0);
    const ledger = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: iid,
      warehouse_id: c.location_id,
      before: 0,
      reason: 'initial' as const,
      created_by: ctx.by,
      at: now,
    };
    if (stocked > 0) plan.actions.push(ledgerPut({ ...ledger, field: 'stocked_quantity', after: stocked }));
    if (incoming > 0) plan.actions.push(ledgerPut({ ...ledger, field: 'incoming_quantity', after: incoming }));
    plan.answers.push(async (refused) => {
      if (refused.failed.has(label)) return atField(c.field, new DomainError('CONFLICT', `Item ${iid} is already stocked at location ${c.location_id}`));
      if (refused.failed.has(`item:${iid}`) && !refused.failed.get(`item:${iid}`))
        return atField(c.field, notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND'));
      return undefined;
    });
  }
}

/** The counters, the size check, the one transaction, and the answer to its refusal. */
async function runPlan(plan: BatchPlan, newItem?: InventoryItem): Promise<true | typeof RETRY> {
  for (const [n, c] of [...plan.counters.values()].entries()) {
    const label = `warehouse:${n}`;
    plan.actions.push(warehouseLevelCount(c.key, c.delta, { mustBeWritable: c.writable, flag: c.flag, label }));
    plan.answers.push(async (refused) => {
      const a = warehouseRefusal(refused, c.wid, c.flag, c.writable, label);
      return a && a !== RETRY ? atField(c.field, a) : a;
    });
  }
  if (plan.actions.length > TX_LIMIT) {
    throw validation(
      'create, update, delete',
      `this batch needs ${plan.actions.length} writes in one transaction, at most ${TX_LIMIT} fit: send smaller batches`,
    );
  }
  const refused = await transactOrCancelled(plan.actions);
  if (!refused) {
    for (const d of plan.done) d();
    return true;
  }
  if (newItem && (refused.failed.has('item') || refused.failed.has('sku'))) newItemRefusal(newItem, refused);
  for (const answer of plan.answers) {
    const a = await answer(refused);
    if (a && a !== RETRY) throw a;
  }
  return RETRY;
}

const newPlan = (actions: TxAction[] = []): BatchPlan => ({ actions, answers: [], counters: new Map(), done: [] });

/**
 * A new item and its levels in ONE transaction (Medusa's `location_levels`): the item's Put (level_seq
 * already 1) and sku guard, each level with its warehouse count and ledger rows; a refused level
 * leaves no item.
 */
export async function createItemWithLevels(ctx: WriteContext, item: InventoryItem, create: BatchLevelSet[]): Promise<void> {
  distinctLevels(create);
  await withRetry(async () => {
    const plan = newPlan(newItemActions(ctx.tenant, item, create.length));
    await planCreates(ctx, plan, create, new Map([[item.id, freshRecord(item)]]), item.id);
    return runPlan(plan, item);
  });
}

/**
 * Every operation of a batch in ONE transaction (all or nothing): creations (with their items'
 * level_seq moves and their warehouses' counts, merged per row: a transaction touches a row once),
 * changes (the version read, as changeLevel), removals (nothing reserved nor incoming, and no stock
 * unless `force`, each in the Delete's condition; stock written off in the ledger), and the ledger rows.
 * A batch that needs more than DynamoDB's 100 actions per transaction (one kept for the
 * Idempotency-Key claim) is refused with a 400 naming the request's arrays, before anything is written.
 */
export async function batchLevels(ctx: WriteContext, batch: LevelBatch): Promise<void> {
  const { tenant, now } = ctx;
  const ops = [...batch.create, ...batch.update, ...batch.delete];
  distinctLevels(ops);
  if (!ops.length) return;
  await withRetry(async () => {
    const recs = new Map<string, ItemRecord>();
    await inParallel(
      [...new Set(ops.map((o) => o.inventory_item_id))],
      async (iid) => {
        const rec = await loadItem(tenant, iid);
        if (!rec) throw atField(ops.find((o) => o.inventory_item_id === iid)!.field, notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND'));
        recs.set(iid, rec);
      },
      FAN_OUT_PARALLEL,
    );
    const plan = newPlan();
    await planCreates(ctx, plan, batch.create, recs);
    // changes: each as changeLevel plans it, on the version read
    const changes = await Promise.all(
      batch.update.map(async (u, i) => {
        try {
          return await planChange(ctx, recs.get(u.inventory_item_id)!, u.location_id, u, `update:${i}`);
        } catch (err) {
          throw err instanceof DomainError ? atField(u.field, err) : err;
        }
      }),
    );
    for (const [i, change] of changes.entries()) {
      plan.actions.push(...change.actions);
      plan.done.push(change.done);
      plan.answers.push(async (refused) => {
        const a = await change.refusal(refused);
        return a && a !== RETRY ? atField(batch.update[i].field, a) : a;
      });
    }
    // removals: nothing reserved or incoming, no stock unless forced (Medusa), in the Delete's condition
    for (const [i, d] of batch.delete.entries()) {
      const rec = recs.get(d.inventory_item_id)!;
      const level = rec.levels.find((l) => l.location_id === d.location_id);
      if (!level) throw atField(d.field, levelNotFound(d.inventory_item_id, d.location_id));
      const refusal = deleteRefusal(level, batch.force);
      if (refusal) throw atField(d.field, refusal);
      const label = `delete:${i}`;
      plan.actions.push(
        ...(await levelDeleteActions(tenant, level, now, label, {
          condition: `version = :seen AND incoming_quantity = :zero${batch.force ? '' : ' AND stocked_quantity = :zero'}`,
          values: { ':seen': rec.levelVersions[d.location_id], ':zero': 0 },
          nothingReserved: true,
        })),
        ...writeOffLedger(ctx, level),
      );
      countAt(plan, await levelCounter(tenant, d.location_id, d.inventory_item_id), d.location_id, -1, d.field);
      plan.done.push(() => noteHot(tenant, d.inventory_item_id, d.location_id, 0));
      plan.answers.push(async (refused) => {
        if (!refused.failed.has(label)) return undefined;
        const old = refused.failed.get(label);
        if (!old) return atField(d.field, levelNotFound(d.inventory_item_id, d.location_id));
        const now = old.entity === 'level' ? deleteRefusal(strip<Level>(old), batch.force, holdsReservations(old)) : undefined;
        return now ? atField(d.field, now) : RETRY;
      });
    }
    return runPlan(plan);
  });
}

/** Why a level may not be removed by a batch (Medusa's rules): reservations, incoming units, or stock without `force`. */
function deleteRefusal(level: Level, force: boolean | undefined, reserved = level.reserved_quantity > 0): DomainError | undefined {
  if (reserved) return levelHasReservations(level.inventory_item_id, level.location_id);
  if (level.incoming_quantity > 0) return levelNotEmpty(level.inventory_item_id, level.location_id, 'incoming');
  if (!force && level.stocked_quantity > 0) return levelNotEmpty(level.inventory_item_id, level.location_id, 'stocked');
  return undefined;
}

// ======================================================================================
// Copies on the level (its item's sku and backorder policy, its warehouse's read-only flag), the
// low-stock flag, and reconcile's repairs
// ======================================================================================

export type { LevelPolicy };

/** One level's part of an item change: its sku (and SKU index keys) and / or its copy of the policy. */
export function levelCopy(tenant: string, iid: string, wid: string, change: { sku?: { value: string | null }; policy?: LevelPolicy }): TxAction {
  const e = newExpr();
  const { parts: sets, values } = e;
  if (change.sku) {
    values[':sku'] = change.sku.value;
    sets.push('sku = :sku');
    LevelEntity.indexUpdate(tenant, { inventory_item_id: iid, location_id: wid, sku: change.sku.value }, e);
  }
  if (change.policy) {
    Object.assign(values, { ':pv': change.policy.policy_version, ':pab': change.policy.policy_allow_backorder });
    sets.push('policy_version = :pv', 'policy_allow_backorder = :pab');
  }
  const remove = e.remove ? ` REMOVE ${e.remove.join(', ')}` : '';
  return levelUpdate(tenant, iid, wid, `level:${wid}`, `SET ${sets.join(', ')}${remove}`, 'attribute_exists(PK)', values);
}

/** At most this many copy writes in flight at once (policy and read-only copies on levels). */
export const FAN_OUT_PARALLEL = 16;

/**
 * Copy `values` onto each level row (as read: PK, SK, `seqAttr`) whose `seqAttr` is older than `seq`
 * (or missing), FAN_OUT_PARALLEL at a time: per level `SET values, seqAttr = seq IF seqAttr < seq`, so
 * a late or repeated copy never moves a level back. Returns the levels moved.
 */
export async function copyOntoLevels(levels: Row[], seqAttr: 'policy_version' | 'wh_ro_seq', seq: number, values: Record<string, unknown>): Promise<number> {
  const stale = levels.filter((l) => String(l.SK).startsWith(keys.levelPrefix) && !(Number(l[seqAttr]) >= seq));
  const names = Object.keys(values);
  let moved = 0;
  await inParallel(
    stale,
    async (l) => {
      const written = await unlessConditionFails(() =>
        retryConflicts(() =>
          db().send(
            new UpdateCommand({
              TableName: tableName(),
              Key: { PK: l.PK, SK: l.SK },
              UpdateExpression: `SET ${[...names, seqAttr].map((n) => `${n} = :${n}`).join(', ')}`,
              ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(${seqAttr}) OR ${seqAttr} < :${seqAttr})`,
              ExpressionAttributeValues: Object.fromEntries([...names.map((n) => [`:${n}`, values[n]]), [`:${seqAttr}`, seq]]),
            }),
          ),
        ),
      );
      if (written) moved++;
    },
    FAN_OUT_PARALLEL,
  );
  return moved;
}

/**
 * Set or clear the low-stock flag (GSI2 keys present only while flagged). `seq`: a stream sequence
 * (a late record never overwrites a newer state); `seen`: the flag a read of a hot level showed
 * (its status changes with its shards, which no one stream sequence orders). False when the guard
 * failed or the level is gone.
 */
export async function setLevelFlag(
  tenant: string,
  iid: string,
  wid: string,
  status: LevelStatus,
  title: string | null,
  guard: { seq: string } | { seen: string | null },
): Promise<boolean> {
  const flagged = status !== 'normal';
  const seq = 'seq' in guard ? guard.seq : undefined;
  const index = LevelEntity.indexUpdate(tenant, { inventory_item_id: iid, location_id: wid, flag_status: status });
  const written = await unlessConditionFails(() =>
    db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.level(tenant, iid, wid),
        UpdateExpression: flagged
          ? `SET ${index.parts.join(', ')}, flag_status = :status${seq ? ', flag_seq = :seq' : ''}, flag_title = :title`
          : `SET flag_status = :status${seq ? ', flag_seq = :seq' : ''} REMOVE ${[...(index.remove ?? []), 'flag_title'].join(', ')}`,
        ConditionExpression:
          'seq' in guard
            ? 'attribute_exists(PK) AND (attribute_not_exists(flag_seq) OR flag_seq < :seq)'
            : `attribute_exists(PK) AND ${guard.seen === null ? 'attribute_not_exists(flag_status)' : 'flag_status = :seen'}`,
        ExpressionAttributeValues: {
          ':status': status,
          ...(seq ? { ':seq': seq } : {}),
          ...('seen' in guard && guard.seen !== null ? { ':seen': guard.seen } : {}),
          ...index.values,
          ...(flagged ? { ':title': title } : {}),
        },
      }),
    ),
  );
  return written !== undefined;
}

/**
 * How long a level (and its shards) must have been left alone before reconcile may set its reserved
 * figure from the open-reservation index. The index is eventually consistent on AWS: a reservation
 * committed just before the read may not be in it yet, and a repair from such a sum would set
 * reserved too low (an oversell). AWS documents no bound on index propagation ("usually within a
 * fraction of a second", Amazon DynamoDB Developer Guide, "Using Global Secondary Indexes"), so the
 * quiet time is generous; INVENTORY_REPAIR_QUIET_SECONDS changes it.
 */
export const repairQuietMs = () => Number(process.env.INVENTORY_REPAIR_QUIET_SECONDS ?? 60) * 1000;

/**
 * reserved := `reserved` (the open reservations' sum, read from the index after `indexReadAt`),
 * available := stocked − reserved − safety, only if the level (and each shard) still holds exactly
 * what was read and was last written at least the quiet time before the index read began — every
 * reservation it holds is then in the index. 'moved' when a write came since, 'recent' when the
 * level changed too recently to trust the index (reconcile reports the drift and leaves it).
 */
export async function repairReserved(tenant: string, l: Level, reserved: number, now: string, indexReadAt: string): Promise<'repaired' | 'moved' | 'recent'> {
  const quietBefore = new Date(Date.parse(indexReadAt) - repairQuietMs()).toISOString();
  const s = await readHot(tenant, l.inventory_item_id, l.location_id, hotShardsOf(l));
  if (!s) return 'moved';
  const shown = shownRow(s);
  if (Number(shown.reserved_quantity) !== l.reserved_quantity || Number(shown.stocked_quantity) !== l.stocked_quantity) return 'moved';
  const raw = s.level;
  if (String(raw.updated_at) > quietBefore) return 'recent';
  const rawReserved = reserved + s.parked;
  const values: Row = {
    ':r': rawReserved,
    ':a': expectedAvailable({
      stocked_quantity: Number(raw.stocked_quantity),
      reserved_quantity: rawReserved,
      safety_stock: Number(raw.safety_stock),
      ...Object.fromEntries(STOCK_STATES.map((st) => [stateField(st), Number(raw[stateField(st)] ?? 0)])),
    }),
    ':now': now,
    ':sr': raw.reserved_quantity,
    ':sa': raw.available_quantity,
    ':st': raw.stocked_quantity,
    ':ss': raw.safety_stock,
    ':seenat': raw.updated_at,
  };
  const condition = `reserved_quantity = :sr AND available_quantity = :sa AND stocked_quantity = :st AND safety_stock = :ss AND updated_at = :seenat AND ${hotIs(s.n, values)}`;
  const actions: TxAction[] = [
    levelUpdate(
      tenant,
      l.inventory_item_id,
      l.location_id,
      'level',
      'SET reserved_quantity = :r, available_quantity = :a, updated_at = :now',
      condition,
      values,
    ),
  ];
  // each shard exactly as read and quiet as long (a reservation taken from it is in the index too)
  s.allots.forEach((a, k) =>
    actions.push({
      label: `shard:${k}`,
      item: {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.hotShard(tenant, l.inventory_item_id, l.location_id, k),
          // and no pending reservation (escrow): those are reserved units the index does not have yet;
          // and none made a row since the quiet window began (the caller's count of pending units was
          // read after it began: a row made since may be in the index and in that count both): the
          // consumer's removal stamps swept_at; a taker's own (unstamped, settleOwnEntry) comes within
          // its request's time (10 s) of its take, whose updated_at is then inside the window
          ConditionExpression: `${
            a === 0
              ? '(attribute_not_exists(allot) OR allot = :a) AND (attribute_not_exists(updated_at) OR updated_at <= :quiet)'
              : 'allot = :a AND updated_at <= :quiet'
          } AND ${NO_PENDING} AND (attribute_not_exists(swept_at) OR swept_at < :swept)`,
          ExpressionAttributeValues: { ':a': a, ':quiet': quietBefore, ':none': 0, ':swept': Date.parse(quietBefore) },
        },
      },
    }),
  );
  const refused = await transactOrCancelled(actions);
  if (!refused) return 'repaired';
  return [...refused.failed.keys()].some((k) => k.startsWith('shard:')) ? 'recent' : 'moved';
}

/** The level still holds `stocked` at `version` (a ledger repair's guard). */
export function levelStockIs(tenant: string, l: Level, version: number): TxAction {
  return {
    label: 'level',
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: keys.level(tenant, l.inventory_item_id, l.location_id),
        ConditionExpression: 'version = :v AND stocked_quantity = :st',
        ExpressionAttributeValues: { ':v': version, ':st': l.stocked_quantity },
      },
    },
  };
}

// ======================================================================================
// Inbound supply (issue 25 item 3): incoming as the sum of open inbound lines
// ======================================================================================
//
//  I9  a level with open inbound lines (`inbound_open` > 0, the count of them) has
//      incoming_quantity = Σ (quantity − received) over its open lines: every inbound write moves
//      the line row and the level in one transaction (the line conditioned on what was read, the
//      level on its version), and an absolute set of incoming is refused while lines are open
//      (incomingSetGuard). A level that never had inbound lines keeps incoming as it was set.

/** What an inbound write does to a level: incoming, stocked (a receipt) and the count of open lines, relatively. */
export interface InboundMove {
  incoming: number;
  stocked: number;
  open: number;
  /** Units of a receipt that become reservations of the future holds promised on the line (≤ stocked: available never falls). */
  reserved?: number;
}

/**
 * The level's half of an inbound write, on the exact version read (I7: the ledger's before comes
 * from that read, and an absolute writer planned on it is refused): incoming within [0, MAX] (I3),
 * a receipt's stocked within bounds and only at a writable warehouse (I5). Receiving raises
 * available, so a hot level needs nothing more (I6 is about lowering it).
 */
export function inboundLevelUpdate(tenant: string, l: Level, version: number, m: InboundMove, now: string, label: string): TxAction {
  const values: Row = { ':di': m.incoming, ':ds': m.stocked, ':do': m.open, ':zero': 0, ':seen': version, ':next': version + 1, ':now': now, ':false': false };
  let condition = `version = :seen AND ${LEVEL_WRITABLE}`;
  if (m.incoming < 0) {
    values[':min_in'] = -m.incoming;
    condition += ' AND incoming_quantity >= :min_in';
  }
  if (m.incoming > 0) {
    values[':max_in'] = MAX_QUANTITY - m.incoming;
    condition += ' AND incoming_quantity <= :max_in';
  }
  if (m.stocked > 0) {
    values[':max_st'] = MAX_QUANTITY - m.stocked;
    condition += ' AND stocked_quantity <= :max_st';
  }
  const reserved = m.reserved ?? 0;
  if (reserved < 0 || reserved > Math.max(0, m.stocked)) throw new Error(`inboundLevelUpdate: reserved ${reserved} outside 0..${m.stocked}`);
  let set =
    'SET incoming_quantity = incoming_quantity + :di, stocked_quantity = stocked_quantity + :ds, available_quantity = available_quantity + :ds, inbound_open = if_not_exists(inbound_open, :zero) + :do, version = :next, updated_at = :now';
  if (reserved > 0) {
    // a receipt's promised units go to their holds' reservations: reserved += r, available += stocked − r
    values[':dr'] = reserved;
    values[':da'] = m.stocked - reserved;
    values[':maxr'] = MAX_QUANTITY - reserved;
    condition += ' AND reserved_quantity <= :maxr';
    set =
      'SET incoming_quantity = incoming_quantity + :di, stocked_quantity = stocked_quantity + :ds, reserved_quantity = reserved_quantity + :dr, available_quantity = available_quantity + :da, inbound_open = if_not_exists(inbound_open, :zero) + :do, version = :next, updated_at = :now';
  }
  return levelUpdate(tenant, l.inventory_item_id, l.location_id, label, set, condition, values);
}

/**
 * Why an inbound write's level update was refused: the level is gone, its warehouse read-only, a
 * figure out of bounds (`tooLarge`: the caller's words for it), or RETRY (the version moved).
 */
export async function inboundRefusal(
  tenant: string,
  refused: Cancellation,
  label: string,
  l: { inventory_item_id: string; location_id: string },
  version: number,
  tooLarge: () => DomainError,
): Promise<DomainError | typeof RETRY | undefined> {
  const f = refused.failed;
  if (!f.has(label)) return undefined;
  const old = f.get(label);
  if (!old) return levelGone(tenant, l.inventory_item_id, l.location_id);
  if (levelReadonly(old)) return readonlyWarehouse(l.location_id);
  if (Number(old.version) === version) return tooLarge();
  return RETRY;
}

/** Open inbound lines at a level (0 for a level that never had any). */
export const inboundOpen = (row: Row | undefined): number => Number(row?.inbound_open ?? 0);

/** I9: an absolute set of incoming only while no inbound line is open at the level (a condition on the level's own update). */
export const INCOMING_SET_GUARD = '(attribute_not_exists(inbound_open) OR inbound_open = :zero_open)';

/** A level, item or warehouse delete refused while inbound lines are open at a level (409). */
export const levelHasInbound = (wid: string, open: number) =>
  new DomainError(
    'CONFLICT',
    `${open} inbound line(s) are still open at ${wid}: receive or cancel them before deleting (POST /api/inbound/{id}/lines/{line}/cancel)`,
  );

/** The answer to an absolute set of incoming refused by INCOMING_SET_GUARD. */
export const incomingManaged = (wid: string, open: number) =>
  new DomainError(
    'CONFLICT',
    `incoming_quantity at ${wid} is the sum of ${open} open inbound line(s): receive or cancel them (POST /api/inbound/{id}/lines/{line}/receive or …/cancel) instead of setting it`,
    [{ field: 'incoming_quantity', message: 'managed by inbound lines' }],
  );
