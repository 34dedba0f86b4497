/** Inventory items: the row, its sku guard, and the item partition (item + levels). */
import type { InboundLineRow } from './inbound.ts';
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, notFound } from '../core/errors.ts';
import type { InventoryItem, Level } from '../core/model.ts';
import {
  db,
  isThrottled,
  noteRef,
  retryConflicts,
  RETRY,
  tableName,
  TX_LIMIT,
  TxCancelled,
  withRetry,
  unlessConditionFails,
  transactOrCancelled,
} from './db.ts';
import type { Cancellation, TxAction } from './db.ts';
import { newExpr, setFields, updateParams } from './expr.ts';
import { Item, SkuGuard, Stats } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { batchGet, queryPartition } from './query.ts';
import {
  copyOntoLevels,
  holdsReservations,
  inboundOpen,
  isHotLevel,
  itemKnownHot,
  levelCopy,
  levelDeleteActions,
  levelHasInbound,
  levelReadKeys,
  pendingShown,
  shownLevels,
} from './levels.ts';
import { levelCounter, warehouseLevelCount } from './locations.ts';

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB items are untyped here; the entities type them
type Row = Record<string, any>;

export interface ItemRecord {
  item: InventoryItem;
  levels: Level[];
  /** Each level's version (by location id): stock writes are conditioned on it. */
  levelVersions: Record<string, number>;
  /** Bumped whenever allow_backorder / backorder_limit change: reservations check it in their transaction. */
  policyVersion: number;
  /** Optimistic version of the item row. */
  updatedAt: string;
  /** Levels ever created for the item (never goes down): level creation and item delete / sku change exclude each other on it. */
  levelSeq: number;
  /**
   * Each level's copy of the item's policy_version (by location id; undefined for a level written
   * before levels carried one): a reservation checks the policy on its level, not on the item row.
   */
  levelPolicy: Record<string, number | undefined>;
  /**
   * Units reserved at each hot level (by location id) by reservations still pending in its escrow
   * maps, as read with the level: not yet rows, so not in the reservation index (reconcile).
   */
  levelPending: Record<string, number>;
  /** The item's inbound lines (store/inbound.ts), read by the same Query: available-to-promise by date needs them. */
  inbound: InboundLineRow[];
}

const search = (sku: string | null, title: string | null) => `${sku ?? ''}\n${title ?? ''}`.toLowerCase();

function itemRow(tenant: string, item: InventoryItem, policyVersion: number): Row {
  return Item.row(tenant, item, { policy_version: policyVersion, search: search(item.sku, item.title) });
}

const duplicateSku = (sku: string) => new DomainError('DUPLICATE', `Inventory item with sku: ${sku} already exists`);

export async function putNewItem(tenant: string, item: InventoryItem): Promise<void> {
  const refused = await transactOrCancelled(newItemActions(tenant, item));
  newItemRefusal(item, refused);
  await itemCreated(tenant, item);
}

/**
 * A new item's Put (it must not exist) and its sku guard (sku is unique per tenant). `levels`: the
 * item is created with that many levels in the same transaction (store/levels.ts batchLevels), so its
 * level_seq starts at 1 — what levelBirth would have left.
 */
export function newItemActions(tenant: string, item: InventoryItem, levels = 0): TxAction[] {
  noteRef(item.id);
  const row = itemRow(tenant, item, 1);
  if (levels) row.level_seq = 1;
  const actions: TxAction[] = [{ label: 'item', item: { Put: { TableName: tableName(), Item: row, ConditionExpression: 'attribute_not_exists(PK)' } } }];
  if (item.sku) actions.push(skuGuardPut(tenant, item.sku, item.id));
  return actions;
}

/** A new item's transaction was refused: its sku is taken (or something else failed). */
export function newItemRefusal(item: InventoryItem, refused: Cancellation | undefined): void {
  if (refused?.failed.has('sku')) throw duplicateSku(item.sku!);
  if (refused) throw new TxCancelled(refused);
}

/** After a new item's transaction: the stats row (sku count, and the tenant's entry in the directory the scheduled jobs read). */
export const itemCreated = (tenant: string, item: InventoryItem) => skuCount(tenant, item.id, item.sku ? 1 : 0);

/** The record of an item about to be created (no levels yet), for planning its levels in its own transaction. */
export const freshRecord = (item: InventoryItem): ItemRecord => ({
  item,
  levels: [],
  inbound: [],
  levelVersions: {},
  policyVersion: 1,
  updatedAt: item.updated_at,
  levelSeq: 0,
  levelPolicy: {},
  levelPending: {},
});

/**
 * The tenant's number of skus (meta.total of the SKU list) and its entry in the tenant directory.
 * Changed AFTER the transaction that adds or removes the sku row, never inside it, and never in a
 * transaction at all: a row the tenant shares, in transactions, made all item creations of a tenant
 * conflict with each other (TransactionConflict, ~40/s on AWS). Plain writes of one item do not
 * conflict with each other.
 *
 * A plain `ADD` is not idempotent: when its answer is lost (it committed, the connection dropped)
 * the SDK sends it again and it counted twice. So each change carries a random op id, kept for a
 * short while on the row it changes, and is conditioned on not being there yet: the SDK's retry
 * resends the very same request (same op id, same slot), finds it, fails its condition, and that
 * failure means "already applied". The ids live in three rotating 10-second slots (`ops0..2`): a
 * change adds its id to the current slot and clears the next one (ids from two periods ago), so an
 * id is kept 10 to 30 s — the SDK retries a request within seconds — and the row stays small.
 *
 * The count is spread over SKU_COUNT_SHARDS shard rows (the item's shard by a hash of its id, each
 * its own partition, plus what the stats row counted before them), so the ids of a busy tenant are
 * spread too: at 1,000 changes/s a shard keeps ~2,000 ids (~25 KB; writes are charged by item
 * size). Reading the total is one BatchGet of 17 keys.
 *
 * Trade-offs (chosen over a one-action TransactWriteItems with a ClientRequestToken, idempotent for
 * 10 minutes, because transactions on a shared row conflict: see test/integration/hot-rows.test.ts,
 * 32 concurrent creations, zero conflicts): a retry sent more than 10 s after the first attempt could
 * count twice (the SDK's are far quicker); a function that dies between the item's commit and this
 * leaves the count one off (meta.total only; nothing is guarded by it).
 */
export const SKU_COUNT_SHARDS = 16;
const skuCountShardOf = (iid: string) => createHash('sha256').update(iid).digest().readUInt32BE(0) % SKU_COUNT_SHARDS;
const OP_SLOT_MS = 10_000;

async function skuCount(tenant: string, iid: string, delta: number, now = Date.now()): Promise<void> {
  // the directory entry: a plain SET, the same however often it is sent
  if (delta >= 0) await touchStats(tenant);
  if (!delta) return;
  const period = Math.floor(now / OP_SLOT_MS);
  const op = randomBytes(9).toString('base64url');
  await unlessConditionFails(() =>
    retryConflicts(() =>
      db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.skuCountShard(tenant, skuCountShardOf(iid)),
          UpdateExpression: 'SET entity = :e ADD sku_count :d, #cur :ops REMOVE #stale',
          // failed: this very request was applied already (the SDK's retry of a lost answer)
          ConditionExpression: 'NOT contains(#cur, :op)',
          ExpressionAttributeNames: { '#cur': `ops${period % 3}`, '#stale': `ops${(period + 1) % 3}` },
          ExpressionAttributeValues: { ':d': delta, ':e': 'sku-count-shard', ':ops': new Set([op]), ':op': op },
        }),
      ),
    ),
  );
}

/** The tenant's entry in the tenant directory (GSI1 of the stats row). */
async function touchStats(tenant: string): Promise<void> {
  const row = Stats.upsertSet(tenant, { tenant });
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.stats(tenant),
      UpdateExpression: `SET ${row.parts.join(', ')}`,
      ExpressionAttributeValues: row.values,
    }),
  );
}

/** The stats row's count (from before the shards) and every shard's, in one BatchGet. */
export async function skuTotal(tenant: string): Promise<number> {
  return skuTotalOf(await batchGet(skuTotalKeys(tenant)));
}
/** The rows the SKU count is kept in (the legacy stats row and its shards), to read along with others. */
export const skuTotalKeys = (tenant: string) => [keys.stats(tenant), ...Array.from({ length: SKU_COUNT_SHARDS }, (_, k) => keys.skuCountShard(tenant, k))];
/** The SKU count from those rows as read. */
export const skuTotalOf = (rows: Record<string, unknown>[]) => rows.reduce((n, r) => n + Number(r.sku_count ?? 0), 0);

function skuGuardPut(tenant: string, sku: string, iid: string): TxAction {
  return {
    label: 'sku',
    item: {
      Put: {
        TableName: tableName(),
        Item: SkuGuard.row(tenant, { sku, inventory_item_id: iid }),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  };
}

/**
 * The item and all its levels, in one strongly consistent Query; undefined if there is no item.
 * `answer`: the record only answers a read (nothing is planned from it), so an item with a hot level
 * under read load may answer from a read started up to `INVENTORY_HOT_READ_MS` before (sharedRead).
 */
export async function loadItem(tenant: string, iid: string, opts: { answer?: boolean } = {}): Promise<ItemRecord | undefined> {
  if (opts.answer && itemKnownHot(tenant, iid)) return sharedRead(`${tenant}\u0000${iid}`, () => readItem(tenant, iid));
  return readItem(tenant, iid);
}

/**
 * Answers under read load. An item with a hot level costs a consistent Query of its partition and a
 * consistent read of every shard of the level (32 read units at 32 shards) each time it is read; a
 * partition reads 3,000 units/s, so an item read in a closed loop runs its partitions out of reads,
 * and the answers out of time (issue 22's P12: 65 of 584 reads over 1 s during P8). So an answer
 * shares the record of a read of the same item that started at most `INVENTORY_HOT_READ_MS`
 * (default 250 ms) before it asked: one still running, or, while this process has answered more than
 * HOT_READ_LOAD reads of the item within the last second, one finished. Its figures are then at most
 * that old, and the process reads the item at most 4 times a second for its answers while the reads
 * keep coming. Guards, and every write's answer, stay exact.
 */
function sharedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const load = readLoads.get(key) ?? { window: now, count: 0, before: 0 };
  if (now - load.window >= 1000) Object.assign(load, { before: now - load.window < 2000 ? load.count : 0, window: now, count: 0 });
  load.count++;
  keepNewest(readLoads, key, load);
  const copy = sharedReads.get(key);
  const underLoad = Math.max(load.count, load.before) > HOT_READ_LOAD;
  if (copy && now - copy.startedAt <= Number(process.env.INVENTORY_HOT_READ_MS ?? 250) && (copy.running || underLoad)) return copy.read as Promise<T>;
  const entry = { startedAt: now, read: read(), running: true };
  keepNewest(sharedReads, key, entry);
  entry.read.then(
    () => void (entry.running = false),
    // a read that failed is no copy: the next answer reads again
    () => void (sharedReads.get(key) === entry && sharedReads.delete(key)),
  );
  return entry.read;
}
const HOT_READ_LOAD = 20;
/** Set `key` as the map's newest entry; past ANSWER_COPIES_MAX entries the oldest goes. */
function keepNewest<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > ANSWER_COPIES_MAX) map.delete(map.keys().next().value as string);
}
const readLoads = new Map<string, { window: number; count: number; before: number }>();
const sharedReads = new Map<string, { startedAt: number; read: Promise<unknown>; running: boolean }>();

async function readItem(tenant: string, iid: string): Promise<ItemRecord | undefined> {
  const rows = await queryPartition(keys.itemPartition(tenant, iid));
  const itemRow = rows.find((r) => r.SK === 'ITEM') as Row | undefined;
  if (!itemRow) return undefined;
  // the levels as shown (the door reads a hot level's shards; others as they are)
  const levelRows = await shownLevels(
    tenant,
    rows.filter((r) => String(r.SK).startsWith(keys.levelPrefix)),
    'table',
  );
  const levelVersions = Object.fromEntries(levelRows.map((r) => [r.location_id as string, Number(r.version ?? 1)]));
  const levelPolicy = Object.fromEntries(
    levelRows.map((r) => [r.location_id as string, r.policy_version === undefined ? undefined : Number(r.policy_version)]),
  );
  return {
    item: strip<InventoryItem>(itemRow),
    levels: levelRows.map((r) => strip<Level>(r)),
    levelVersions,
    policyVersion: itemRow.policy_version ?? 1,
    updatedAt: itemRow.updated_at,
    levelSeq: Number(itemRow.level_seq ?? 0),
    levelPolicy,
    levelPending: Object.fromEntries(levelRows.map((r) => [r.location_id as string, pendingShown(r)])),
    inbound: rows.filter((r) => String(r.SK).startsWith(keys.inboundLinePrefix)).map((r) => strip<InboundLineRow>(r)),
  };
}

/**
 * The item as a new reservation's answer embeds it: loadItem, except that an item with a hot level is
 * read by this process at most once per `INVENTORY_HOT_ANSWER_MS` (default 1,000 ms) and answered
 * from that read meanwhile. Each answer would otherwise read the item's partition and every shard of
 * the level, so the reads would grow with the reservation rate and throttle the one partition every
 * hot reservation shares (issue 22's P8). The figures of such an answer are at most that old; reads
 * (GET, availability) and every write's guard stay exact. Items with no hot level are read each time.
 * A refresh throttled past its retries answers from the copy it would have replaced, however old.
 */
export async function loadItemForAnswer(tenant: string, iid: string): Promise<ItemRecord | undefined> {
  const k = `${tenant}\u0000${iid}`;
  const copy = answerCopies.get(k);
  if (copy?.refresh !== undefined) return copy.refresh;
  if (copy?.read && copy.until > Date.now()) return copy.rec;
  // an item known hot (a copy read before, or a level this process knows hot: its first answers):
  // one read for every answer that asks while it runs (they may be that old anyway); that read
  // throttled past its retries (the request has committed: its answer is all that is left), the copy
  // read before, however old, rather than no answer (a 500 after the reservation was made)
  const entry = copy ?? (itemKnownHot(tenant, iid) ? { rec: undefined, until: 0, read: false } : undefined);
  let stale = false;
  const read = loadItem(tenant, iid).catch((err: unknown) => {
    if (!entry?.read || !isThrottled(err)) throw err;
    stale = true;
    return entry.rec;
  });
  if (entry) {
    entry.refresh = read;
    if (!copy) answerCopies.set(k, entry);
  }
  try {
    const rec = await read;
    if (entry) entry.refresh = undefined;
    if (stale) return rec; // the next answer reads again
    if (rec?.levels.some(isHotLevel)) {
      keepNewest(answerCopies, k, { rec, until: Date.now() + Number(process.env.INVENTORY_HOT_ANSWER_MS ?? 1000), read: true });
    } else answerCopies.delete(k);
    return rec;
  } catch (err) {
    answerCopies.delete(k);
    throw err;
  }
}
const answerCopies = new Map<string, { rec: ItemRecord | undefined; until: number; read: boolean; refresh?: Promise<ItemRecord | undefined> }>();
const ANSWER_COPIES_MAX = 1000;

/**
 * A page of items with their levels (the admin list's default, Medusa's), in ids' order, missing ids
 * left out. The tenant's warehouses (one Query of their index, ids only) name every level key the page
 * can have, read with the items by consistent BatchGets side by side, 100 keys each: 3 requests with the id
 * Query for a page of 50 items at one warehouse, one more per 100 keys beyond. When that would take
 * more requests than one Query per item (many warehouses), one Query per item instead, in parallel.
 */
export async function loadItemsWithLevels(tenant: string, ids: string[]): Promise<{ item: InventoryItem; levels: Level[] }[]> {
  if (!ids.length) return [];
  const wids = (await queryPartition(keys.warehousesPartition(tenant), { index: 'GSI1', projection: ['id'] })).map((r) => r.id as string);
  if (Math.ceil((ids.length * (1 + wids.length)) / 100) > ids.length) {
    const recs = await Promise.all(ids.map((id) => loadItem(tenant, id)));
    return recs.filter((r): r is ItemRecord => !!r).map((r) => ({ item: r.item, levels: r.levels }));
  }
  const all = [...ids.map((id) => keys.item(tenant, id)), ...levelReadKeys(tenant, ids, wids)];
  const chunks = Array.from({ length: Math.ceil(all.length / 100) }, (_, i) => all.slice(i * 100, i * 100 + 100));
  const rows = (await Promise.all(chunks.map((chunk) => batchGet(chunk)))).flat(); // the requests side by side
  const items = new Map(rows.filter((r) => r.SK === 'ITEM').map((r) => [r.id as string, r]));
  // the levels as shown (the door reads a hot level's shards), in the order one Query of the item gives them
  const levels = (
    await shownLevels(
      tenant,
      rows.filter((r) => String(r.SK).startsWith(keys.levelPrefix)),
      'table',
    )
  ).sort((a, b) => String(a.SK).localeCompare(String(b.SK)));
  return ids.flatMap((id) => {
    const item = items.get(id);
    return item ? [{ item: strip<InventoryItem>(item), levels: levels.filter((l) => l.inventory_item_id === id).map((l) => strip<Level>(l)) }] : [];
  });
}

export async function requireItem(tenant: string, iid: string, opts: { answer?: boolean } = {}): Promise<ItemRecord> {
  const rec = await loadItem(tenant, iid, opts);
  if (!rec) throw notFound('Inventory item', iid, 'INVENTORY_NOT_FOUND');
  return rec;
}

export async function getItem(tenant: string, iid: string): Promise<InventoryItem | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.item(tenant, iid), ConsistentRead: true }));
  return res.Item ? strip<InventoryItem>(res.Item) : undefined;
}

export async function getItems(tenant: string, ids: string[]): Promise<Map<string, InventoryItem>> {
  const rows = await batchGet(ids.map((id) => keys.item(tenant, id)));
  return new Map(rows.map((r) => [r.id as string, strip<InventoryItem>(r)]));
}

export async function itemIdBySku(tenant: string, sku: string): Promise<string | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.skuGuard(tenant, sku), ConsistentRead: true }));
  return res.Item?.inventory_item_id as string | undefined;
}

/**
 * Ids of the tenant's items in creation order, optionally filtered by a lower-cased substring of the
 * sku, title (`search`) or description. The index projects every attribute and a Query is charged by
 * the size of the rows it reads, not by what it returns: reading `description` too costs no capacity.
 */
export async function listItemIds(tenant: string, q?: string): Promise<string[]> {
  const rows = await queryPartition(keys.itemsPartition(tenant), { index: 'GSI1', projection: q ? ['id', 'search', 'description'] : ['id', 'search'] });
  const needle = q?.toLowerCase();
  return rows
    .filter(
      (r) =>
        !needle ||
        String(r.search).includes(needle) ||
        String(r.description ?? '')
          .toLowerCase()
          .includes(needle),
    )
    .map((r) => r.id as string);
}

export async function itemIdsAtLocation(tenant: string, wid: string): Promise<string[]> {
  const rows = await queryPartition(keys.levelsAtLocation(tenant, wid), { index: 'GSI1', projection: ['inventory_item_id'] });
  return rows.map((r) => r.inventory_item_id as string);
}

/**
 * A level incarnation's versions start at `seq × LEVEL_EPOCH + 1`, where seq is the item's level_seq
 * after the creation: a level deleted and created again never shows a version it had before, so a
 * write prepared against the old level fails its version check on the new one.
 */
export const LEVEL_EPOCH = 1_000_000_000;

const levelSeqIs = (seq: number) => (seq ? 'level_seq = :lseq' : 'attribute_not_exists(level_seq)');

/**
 * The item's side of creating a level, in the level's transaction: the item still exists, still has
 * the sku the level is indexed under, and its level_seq (a counter on the item row, which a level
 * delete leaves alone) moves from the value read to the next. Item delete and sku change condition
 * on level_seq too, so they and a level creation exclude each other.
 */
export function levelBirth(
  tenant: string,
  rec: ItemRecord,
  opts: { label?: string; productId?: string } = {},
): { action: TxAction; version: number; policy: LevelPolicy } {
  const { label = 'item', productId } = opts;
  const sku = rec.item.sku;
  const values: Record<string, unknown> = { ':next': rec.levelSeq + 1 };
  if (rec.levelSeq) values[':lseq'] = rec.levelSeq;
  if (sku) values[':sku'] = sku;
  if (!sku || productId) values[':nul'] = 'NULL';
  let skuSame = sku ? 'sku = :sku' : '(attribute_not_exists(sku) OR attribute_type(sku, :nul))';
  if (productId) {
    // the item belongs to this product (or to none)
    values[':pid'] = productId;
    skuSame += ' AND (attribute_not_exists(product_id) OR attribute_type(product_id, :nul) OR product_id = :pid)';
  }
  values[':pv'] = rec.policyVersion;
  return {
    version: (rec.levelSeq + 1) * LEVEL_EPOCH + 1,
    // the new level carries the item's backorder policy, which the condition below pins to the one read
    policy: { policy_version: rec.policyVersion, policy_allow_backorder: rec.item.allow_backorder },
    action: {
      label,
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.item(tenant, rec.item.id),
          UpdateExpression: 'SET level_seq = :next',
          ConditionExpression: `attribute_exists(PK) AND ${skuSame} AND ${levelSeqIs(rec.levelSeq)} AND ${policyIs(rec.policyVersion)}`,
          ExpressionAttributeValues: values,
        },
      },
    },
  };
}

/** The item row's policy_version is `:pv` (an item stored without one is at version 1). */
const policyIs = (pv: number) => (pv === 1 ? '(attribute_not_exists(policy_version) OR policy_version = :pv)' : 'policy_version = :pv');

/** A level's copy of its item's backorder policy (the reservation guards read it there). */
export interface LevelPolicy {
  policy_version: number;
  policy_allow_backorder: boolean;
}

/** Partial update. A sku change moves the guard row in the same transaction. */
export async function updateItem(tenant: string, iid: string, patch: Partial<InventoryItem>, now: string): Promise<void> {
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const next: InventoryItem = { ...rec.item, ...patch, updated_at: now };
    const policyChanged = next.allow_backorder !== rec.item.allow_backorder || next.backorder_limit !== rec.item.backorder_limit;
    const e = setFields(newExpr(), {
      ...patch,
      updated_at: now,
      search: search(next.sku, next.title),
      policy_version: rec.policyVersion + (policyChanged ? 1 : 0),
    });
    e.values[':seen'] = rec.updatedAt;
    const skuChanged = next.sku !== rec.item.sku;
    // a sku or policy change rewrites the levels read: no level may have been created since
    const pinLevels = skuChanged || policyChanged;
    if (pinLevels && rec.levelSeq) e.values[':lseq'] = rec.levelSeq;
    // the item's SKU index keys move with its sku (its levels' move below, in the same transaction)
    if (skuChanged) Item.indexUpdate(tenant, { id: iid, sku: next.sku }, e);
    const actions: TxAction[] = [
      {
        label: 'item',
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.item(tenant, iid),
            ...updateParams(e),
            // optimistic: the row is still the one the guard moves were computed from (and, for a
            // sku change, no level was created since the levels below were read)
            ConditionExpression: `attribute_exists(PK) AND updated_at = :seen${pinLevels ? ` AND ${levelSeqIs(rec.levelSeq)}` : ''}`,
          },
        },
      },
    ];
    if (skuChanged) {
      if (rec.item.sku) actions.push(skuGuardDelete(tenant, rec.item.sku, iid));
      if (next.sku) actions.push(skuGuardPut(tenant, next.sku, iid));
    }
    const policy: LevelPolicy = { policy_version: rec.policyVersion + 1, policy_allow_backorder: next.allow_backorder };
    // a policy change goes to every level in the item's transaction when they fit; else level by
    // level right after it (fanOutPolicy), and a reservation racing that uses its level's old policy
    const policyInTx = policyChanged && actions.length + rec.levels.length <= TX_LIMIT;
    if (skuChanged || policyInTx) {
      for (const level of rec.levels) {
        actions.push(levelCopy(tenant, iid, level.location_id, { sku: skuChanged ? { value: next.sku } : undefined, policy: policyInTx ? policy : undefined }));
      }
    }
    if (actions.length > TX_LIMIT) {
      throw new DomainError('CONFLICT', `Inventory item ${iid} has too many levels to change its sku at once`);
    }
    const refused = await transactOrCancelled(actions);
    if (refused) {
      if (refused.failed.has('sku')) throw duplicateSku(next.sku!);
      return RETRY;
    }
    if (policyChanged && !policyInTx) await fanOutPolicy(tenant, iid);
    if (!rec.item.sku !== !next.sku) await skuCount(tenant, iid, next.sku ? 1 : -1);
    return true;
  });
}

/**
 * Copy the item's current backorder policy onto each of its levels that has an older copy (or
 * none): one strongly consistent Query of the item's partition, then a conditional UpdateItem per
 * level (`policy_version < the item's`), so a late or repeated run never moves a level back.
 * Idempotent: the policy change runs it when its levels did not fit the item's transaction, and the
 * stream consumer runs it again for every policy change it sees (a crash between the two writes).
 * Returns the number of levels it moved.
 */
export async function fanOutPolicy(tenant: string, iid: string): Promise<number> {
  const rows = await queryPartition(keys.itemPartition(tenant, iid));
  const item = rows.find((r) => r.SK === 'ITEM');
  if (!item) return 0;
  const levels = rows.filter((r) => String(r.SK).startsWith(keys.levelPrefix));
  return copyOntoLevels(levels, 'policy_version', Number(item.policy_version ?? 1), { policy_allow_backorder: item.allow_backorder === true });
}

function skuGuardDelete(tenant: string, sku: string, iid: string): TxAction {
  return {
    label: 'old-sku',
    item: {
      Delete: {
        TableName: tableName(),
        Key: keys.skuGuard(tenant, sku),
        ConditionExpression: 'inventory_item_id = :iid',
        ExpressionAttributeValues: { ':iid': iid },
      },
    },
  };
}

/**
 * Delete an item with its levels, sku guard and variant links in one transaction.
 * Guard: every level must have reserved_quantity = 0 at the moment of the write.
 */
export async function deleteItem(
  tenant: string,
  iid: string,
  /** Read on every attempt: a link unlinked meanwhile is not counted down twice. */
  linksOf: () => Promise<{ variant_id: string }[]>,
  ledger: (level: Level) => TxAction[],
): Promise<void> {
  await withRetry(async () => {
    const rec = await requireItem(tenant, iid);
    const links = await linksOf();
    const reserved = rec.levels.filter((l) => l.reserved_quantity > 0);
    if (reserved.length) throw itemHasReservations(iid);
    const open = rec.inbound.find((l) => l.status === 'open');
    if (open) throw levelHasInbound(open.warehouse_id, rec.inbound.filter((l) => l.status === 'open').length);
    const actions: TxAction[] = [
      {
        label: 'item',
        item: {
          Delete: {
            TableName: tableName(),
            Key: keys.item(tenant, iid),
            // no level was created since the levels below were read (level creation moves level_seq)
            ConditionExpression: `attribute_exists(PK) AND updated_at = :seen AND ${levelSeqIs(rec.levelSeq)}`,
            ExpressionAttributeValues: { ':seen': rec.updatedAt, ...(rec.levelSeq ? { ':lseq': rec.levelSeq } : {}) },
          },
        },
      },
    ];
    if (rec.item.sku) actions.push(skuGuardDelete(tenant, rec.item.sku, iid));
    const counters = await Promise.all(rec.levels.map((level) => levelCounter(tenant, level.location_id, iid)));
    for (const [i, level] of rec.levels.entries()) {
      // no open reservation may be lost with the item (a hot level goes with its shards: the door)
      actions.push(
        ...(await levelDeleteActions(tenant, level, new Date().toISOString(), `level:${level.location_id}`, {
          condition: 'stocked_quantity = :stocked AND incoming_quantity = :incoming',
          values: { ':stocked': level.stocked_quantity, ':incoming': level.incoming_quantity },
          nothingReserved: true,
        })),
      );
      actions.push(warehouseLevelCount(counters[i]!, -1, { label: `count:${level.location_id}` }));
      actions.push(...ledger({ ...level, sku: rec.item.sku }));
    }
    for (const link of links) {
      // the link is still there: one unlinked meanwhile has already counted link_count down
      actions.push({
        label: 'link',
        item: { Delete: { TableName: tableName(), Key: keys.link(tenant, link.variant_id, iid), ConditionExpression: 'attribute_exists(PK)' } },
      });
      actions.push({
        label: 'variant',
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.variant(tenant, link.variant_id),
            UpdateExpression: 'ADD link_count :m',
            ExpressionAttributeValues: { ':m': -1 },
          },
        },
      });
    }
    if (actions.length > TX_LIMIT) {
      throw new DomainError('CONFLICT', `Inventory item ${iid} has too many levels and links to delete at once; delete its levels first`);
    }
    const refused = await transactOrCancelled(actions);
    if (refused) {
      const levelFailed = [...refused.failed.entries()].find(([k, v]) => k.startsWith('level:') && v);
      if (levelFailed && holdsReservations(levelFailed[1])) throw itemHasReservations(iid);
      if (levelFailed && inboundOpen(levelFailed[1]) > 0) throw levelHasInbound(String(levelFailed[1]!.location_id), inboundOpen(levelFailed[1]));
      return RETRY;
    }
    if (rec.item.sku) await skuCount(tenant, iid, -1);
    return true;
  });
}

/**
 * Take away an item that never had a level (one a request created for a level it then could not
 * make). False when it had one meanwhile, or is gone: then it stays as it is.
 */
export async function deleteUnusedItem(tenant: string, iid: string, sku: string | null): Promise<boolean> {
  const actions: TxAction[] = [
    {
      label: 'item',
      item: {
        Delete: { TableName: tableName(), Key: keys.item(tenant, iid), ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(level_seq)' },
      },
    },
  ];
  if (sku) actions.push(skuGuardDelete(tenant, sku, iid));
  if (await transactOrCancelled(actions)) return false;
  if (sku) await skuCount(tenant, iid, -1);
  return true;
}

/** Medusa's answer and words (400 not_allowed); `code` says which refusal it is. */
export const itemHasReservations = (iid: string) =>
  new DomainError('HAS_RESERVATIONS', `Cannot remove following inventory item(s) since they have reservations: [${iid}].`);
