/**
 * Hot mode (README, "Hot mode"): a level's free stock split over N shard items, each in its own
 * partition, so reservations of one SKU at one warehouse are not capped by one item's write
 * capacity (1,000 write units/s on AWS, and a transaction charges each item twice).
 *
 * Invariant, kept by every write that moves units (each one transaction, relative updates):
 *
 *   level.reserved_quantity = Σ open reservations at the level + Σ allot_k over its shards
 *
 * so the level's own stocked / reserved / available figures and its guards stay as they are, the
 * units in a shard counting as reserved ("parked") until a reservation takes them. The exact
 * figures are `available = level.available + Σ allot_k` and `reserved = level.reserved − Σ allot_k`,
 * read with one TransactGetItems of the level and its shards (a serialisable snapshot).
 *
 * - A reservation takes from one shard: `allot −= q IF allot >= q`, with its row (and the request's
 *   idempotency claim) in the same transaction; the level is not written. Releasing, fulfilling or
 *   changing it later works on the level exactly as for any reservation (its units are in
 *   level.reserved either way).
 * - Parking and rebalancing (the stream consumer, in the background) move units between the level
 *   and the shards in one transaction; unparking (a write that needs the level's own figures, a
 *   shard that ran dry while others hold stock, turning hot mode off) moves them back.
 * - Shards exist only while the level says `hot_shards`; turning it off (or deleting the level)
 *   returns every parked unit to the level and deletes the shards in the same transaction.
 */
import { TransactGetCommand } from '@aws-sdk/lib-dynamodb';
import { db, RETRY, retryConflicts, tableName, transactOrCancelled, withRetry } from './db.ts';
import type { TxAction } from './db.ts';
import * as keys from './key-builders.ts';

type Row = Record<string, any>;


export interface HotSnapshot {
  /** The level row as stored (raw figures). */
  level: Row;
  /** The level's hot_shards (0: not hot). */
  n: number;
  /** allot of shards 0..read-1 (every shard the level may have). */
  allots: number[];
  /** Σ allot: units parked in shards. */
  parked: number;
}

export const hotShardsOf = (row: Row | undefined): number => Number(row?.hot_shards ?? 0);


/**
 * The level and its shards in one TransactGetItems. `n`: the shards to read (the level's
 * hot_shards as last seen); read again when the level has more. undefined when there is no level.
 * Every snapshot keeps this process's hint of the level's hot_shards (`noteHot`) current.
 */
export async function readHot(tenant: string, iid: string, wid: string, n: number): Promise<HotSnapshot | undefined> {
  for (;;) {
    const shardKeys = Array.from({ length: n }, (_, k) => keys.hotShard(tenant, iid, wid, k));
    // a transaction in flight on one of the items cancels the read (TransactionConflict): read again
    const res = await retryConflicts(() =>
      db().send(
        new TransactGetCommand({
          TransactItems: [keys.level(tenant, iid, wid), ...shardKeys].map((Key) => ({ Get: { TableName: tableName(), Key } })),
        }),
      ),
    );
    const level = res.Responses?.[0]?.Item;
    const m = hotShardsOf(level);
    if (level && m > n) {
      n = m; // hot mode was widened since the caller looked: read every shard
      continue;
    }
    noteHot(tenant, iid, wid, m);
    if (!level) return undefined;
    const allots = (res.Responses ?? []).slice(1).map((r) => Number(r?.Item?.allot ?? 0));
    return { level, n: m, allots, parked: allots.reduce((a, b) => a + b, 0) };
  }
}

/** The level as the API shows it: parked units are free stock, not reserved. */
export function exactLevelRow(s: HotSnapshot): Row {
  return {
    ...s.level,
    available_quantity: Number(s.level.available_quantity) + s.parked,
    reserved_quantity: Number(s.level.reserved_quantity) - s.parked,
  };
}

/** Level rows with hot levels replaced by their exact figures (one snapshot per hot level; others untouched, no request). */
export async function exactLevelRows<R extends Row>(tenant: string, rows: R[]): Promise<R[]> {
  if (!rows.some((r) => hotShardsOf(r) > 0)) return rows;
  return Promise.all(
    rows.map(async (r) => {
      if (hotShardsOf(r) === 0) return r;
      const s = await readHot(tenant, String(r.inventory_item_id), String(r.location_id), hotShardsOf(r));
      return s ? ({ ...r, ...exactLevelRow(s) } as R) : r;
    }),
  );
}

// ---------- which levels are hot, as this process last saw them ----------

const HINT_MS = 60_000;
const hints = new Map<string, { n: number; until: number }>();
const hintKey = (tenant: string, iid: string, wid: string) => `${tenant}\u0000${iid}\u0000${wid}`;

/** The level's hot_shards as this process last saw it (0 when unknown or not hot). A hint: every write is guarded. */
export function hotHint(tenant: string, iid: string, wid: string): number {
  const h = hints.get(hintKey(tenant, iid, wid));
  if (!h || h.until < Date.now()) return 0;
  return h.n;
}

export function noteHot(tenant: string, iid: string, wid: string, n: number): void {
  const k = hintKey(tenant, iid, wid);
  if (n > 0) hints.set(k, { n, until: Date.now() + HINT_MS });
  else hints.delete(k);
}

// ---------- writes ----------

function shardMove(tenant: string, iid: string, wid: string, k: number, delta: number, now: string): TxAction {
  const values: Row = { ':d': delta, ':now': now, ':zero': 0, ':iid': iid, ':wid': wid, ':k': k, ':e': 'hot_shard' };
  return {
    label: `shard:${k}`,
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.hotShard(tenant, iid, wid, k),
        UpdateExpression:
          'SET allot = if_not_exists(allot, :zero) + :d, updated_at = :now, inventory_item_id = :iid, location_id = :wid, shard_no = :k, entity = :e',
        // a shard never goes below zero
        ...(delta < 0 ? { ConditionExpression: 'allot >= :take', ExpressionAttributeValues: { ...values, ':take': -delta } } : { ExpressionAttributeValues: values }),
      },
    },
  };
}

/** `available −= d, reserved += d` on the level (d > 0 parks, d < 0 unparks), while its hot_shards is `n`. */
function levelPark(tenant: string, iid: string, wid: string, d: number, n: number, now: string, setShards?: number): TxAction {
  const values: Row = { ':d': d, ':now': now };
  let condition = 'attribute_exists(PK) AND attribute_not_exists(hot_shards)';
  if (n > 0) {
    values[':n'] = n;
    condition = 'hot_shards = :n';
  }
  if (d > 0) {
    // parking takes free units only
    values[':min'] = d;
    condition += ' AND available_quantity >= :min';
  }
  let update = 'SET available_quantity = available_quantity - :d, reserved_quantity = reserved_quantity + :d, updated_at = :now';
  if (setShards !== undefined && setShards > 0) {
    values[':next'] = setShards;
    update += ', hot_shards = :next';
  } else if (setShards === 0) update += ' REMOVE hot_shards';
  return { label: 'level', item: { Update: { TableName: tableName(), Key: keys.level(tenant, iid, wid), UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values } } };
}

/**
 * Reserve `q` from shard `k` of a hot level, with `rest` (the reservation row) in the same
 * transaction: 'reserved'; 'short' when the shard had less than q; 'busy' when another transaction
 * held the shard, `throttled` when its partition had no capacity left (neither retried here: the
 * caller tries another shard first).
 */
export async function takeFromShard(tenant: string, iid: string, wid: string, k: number, q: number, now: string, rest: TxAction[]): Promise<'reserved' | 'short' | 'busy' | { throttled: Error }> {
  let refused;
  try {
    refused = await transactOrCancelled([shardMove(tenant, iid, wid, k, -q, now), ...rest], { retryConflicts: false });
  } catch (err) {
    // the shard's partition is out of capacity (after the SDK's own retries): nothing was written
    if ((err as Error).name === 'ProvisionedThroughputExceededException') return { throttled: err as Error };
    throw err;
  }
  if (!refused) return 'reserved';
  if (refused.failed.has(`shard:${k}`)) return 'short';
  if (refused.conflict && refused.failed.size === 0) return 'busy';
  throw new Error(`reservation on shard ${k} refused: ${[...refused.failed.keys()].join(', ')}`);
}

/**
 * Set the level's shard count (0: hot mode off). Every parked unit goes back to the level in the
 * same transaction that sets the count; shards beyond it (all with 0) are deleted there too. Parking into the new
 * shards is the background's (rebalance). Idempotent: a level already at `n` is left alone.
 */
export async function setHotShards(tenant: string, iid: string, wid: string, n: number, now: string): Promise<'changed' | 'unchanged' | 'no-level'> {
  return withRetry(async () => {
    const s = await readHot(tenant, iid, wid, 0);
    if (!s) return 'no-level';
    if (s.n === n) return 'unchanged';
    const actions: TxAction[] = [];
    s.allots.forEach((a, k) => {
      // shards beyond the new count are deleted (all of them when hot mode goes off)
      if (k >= n) {
        actions.push({
          label: `shard:${k}`,
          item: {
            Delete: {
              TableName: tableName(),
              Key: keys.hotShard(tenant, iid, wid, k),
              ConditionExpression: 'attribute_not_exists(PK) OR allot = :a',
              ExpressionAttributeValues: { ':a': a },
            },
          },
        });
      } else if (a > 0) actions.push(shardMove(tenant, iid, wid, k, -a, now));
    });
    actions.push(levelPark(tenant, iid, wid, -s.parked, s.n, now, n));
    if (await transactOrCancelled(actions)) return RETRY; // a reservation or the background moved a figure: read again
    noteHot(tenant, iid, wid, n);
    return 'changed';
  });
}

/** Move every parked unit of a hot level back to the level (hot mode stays on). True when units moved. */
export async function unparkAll(tenant: string, iid: string, wid: string, n: number, now: string): Promise<boolean> {
  return withRetry(async () => {
    const s = await readHot(tenant, iid, wid, n);
    if (!s || s.parked === 0) return false;
    const actions = s.allots.flatMap((a, k) => (a > 0 ? [shardMove(tenant, iid, wid, k, -a, now)] : []));
    actions.push(levelPark(tenant, iid, wid, -s.parked, s.n, now));
    return (await transactOrCancelled(actions)) ? RETRY : true;
  }, 20);
}

/**
 * When a write on the level's own figures found too little available at a hot level (`old`: the
 * level as the refused write saw it), bring the parked units back. True when the caller should
 * try again (units moved); false when nothing was parked, so the refusal stands.
 */
export async function unparkForShortage(tenant: string, old: Row | undefined, now: string): Promise<boolean> {
  const n = hotShardsOf(old);
  if (!old || n === 0) return false;
  return unparkAll(tenant, String(old.inventory_item_id), String(old.location_id), n, now);
}

/**
 * For a stock write that lowers a hot level's available figure (a decrease, more safety stock, a
 * transfer out): every parked unit comes back to the level in the write's own transaction — the
 * shards exactly as one snapshot saw them (a shard already empty is checked to still be empty) —
 * so no shard is left holding units the level no longer has. The write adds `pulled` to the level's
 * available and takes it off its reserved. The consumer parks the free units again afterwards.
 */
export async function pullParked(
  tenant: string,
  level: { inventory_item_id: string; location_id: string; hot_shards?: number },
  lowersAvailable: boolean,
  now: string,
): Promise<{ pulled: number; actions: TxAction[] }> {
  // nothing to do for a level not in hot mode (no request), or a write that does not lower available
  if (!level.hot_shards || !lowersAvailable) return { pulled: 0, actions: [] };
  const { inventory_item_id: iid, location_id: wid } = level;
  const s = await readHot(tenant, iid, wid, level.hot_shards);
  if (!s || s.allots.length === 0) return { pulled: 0, actions: [] };
  const actions = s.allots.map((a, k): TxAction => {
    const Key = keys.hotShard(tenant, iid, wid, k);
    if (a === 0) {
      return { label: `shard:${k}`, item: { ConditionCheck: { TableName: tableName(), Key, ConditionExpression: 'attribute_not_exists(allot) OR allot = :zero', ExpressionAttributeValues: { ':zero': 0 } } } };
    }
    return {
      label: `shard:${k}`,
      item: { Update: { TableName: tableName(), Key, UpdateExpression: 'SET allot = :zero, updated_at = :now', ConditionExpression: 'allot = :a', ExpressionAttributeValues: { ':zero': 0, ':a': a, ':now': now } } },
    };
  });
  return { pulled: s.parked, actions };
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
  const stray = current.slice(s.n).some((a) => a > 0); // shards beyond the count (not reachable by the invariant; repaired anyway)
  if (levelFree <= 0 && !starved && !stray && !(free === 0 && s.parked > 0)) return undefined;
  if (levelFree > 0 && levelFree < Math.max(1, mean / 4) && !starved && !stray) return undefined;
  return current.map((_, k) => target[k] ?? 0);
}

/**
 * Park and rebalance a hot level (the background's job): one transaction, relative moves, planned
 * from `snapshot` (read here when not given). True when it moved units.
 */
export async function rebalance(tenant: string, iid: string, wid: string, now: string, snapshot?: HotSnapshot): Promise<boolean> {
  const s = snapshot ?? (await readHot(tenant, iid, wid, hotHint(tenant, iid, wid)));
  if (!s || s.n === 0) return false;
  const plan = rebalancePlan(s);
  if (!plan) return false;
  const actions: TxAction[] = [];
  let toShards = 0;
  plan.forEach((t, k) => {
    const d = t - (s.allots[k] ?? 0);
    if (d !== 0) actions.push(shardMove(tenant, iid, wid, k, d, now));
    toShards += d;
  });
  if (!actions.length) return false;
  actions.push(levelPark(tenant, iid, wid, toShards, s.n, now));
  // refused: a reservation or another rebalance moved the figures first; the next record tries again
  return !(await transactOrCancelled(actions));
}
