/**
 * The store side of the row pipeline (functions/core/rows.ts), shared by POST /api/inventory/bulk and
 * CSV uploads: batched reads of what rows name (sku → item, warehouses, levels) and the one place a
 * chunk's transaction is built — per level its version- and writable-guarded update (the level's own
 * copy of its warehouse's read-only flag: no warehouse row in the transaction), per changed row its
 * ledger row — plus whatever the caller adds (an upload's error rows and checkpoint).
 */
import type { AdjustmentReason, Level, Warehouse } from '../core/model.ts';
import { transactOrCancelled } from './db.ts';
import { CHECKPOINT } from './uploads.ts';
import type { TxAction } from './db.ts';
import * as keys from './key-builders.ts';
import { BATCH_RETRIES, batchRead } from './query.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { levelWriteCost, readLevels, setStocked } from './levels.ts';

/** The most actions DynamoDB takes in one transaction. */
export const MAX_TX_ACTIONS = 100;

/** Re-sends of a batch's unprocessed keys before batchRows gives up (AWS: retry them with exponential backoff). */
export { BATCH_RETRIES };

/** Batched consistent reads, 100 keys a request (duplicates read once); requests counted (store/query.ts batchRead). */
export const batchRows = (keyList: { PK: string; SK: string }[]) => batchRead(keyList);

/** sku → its item id, or null for a sku the tenant does not have. */
export async function itemIdsBySku(tenant: string, skus: string[]): Promise<{ ids: Map<string, string | null>; requests: number }> {
  const skuOfPk = new Map(skus.map((s) => [keys.skuGuard(tenant, s).PK, s]));
  const read = await batchRows(skus.map((s) => keys.skuGuard(tenant, s)));
  const ids = new Map<string, string | null>(skus.map((s) => [s, null]));
  for (const g of read.rows) ids.set(skuOfPk.get(String(g.PK))!, String(g.inventory_item_id));
  return { ids, requests: read.requests };
}

/** Warehouses by id, null for one that does not exist. */
export async function warehousesById(tenant: string, wids: string[]): Promise<{ warehouses: Map<string, Warehouse | null>; requests: number }> {
  const read = await batchRows(wids.map((w) => keys.warehouse(tenant, w)));
  const warehouses = new Map<string, Warehouse | null>(wids.map((w) => [w, null]));
  for (const r of read.rows) warehouses.set(String(r.id), strip<Warehouse>(r));
  return { warehouses, requests: read.requests };
}

export interface LevelState {
  level: Level;
  version: number;
}

/** `<item>|<warehouse>`: how the pipeline names a level in its maps (not a table key). */
export const levelRef = (iid: string, wid: string) => `${iid}|${wid}`;

/** The levels of these (item, warehouse) pairs that exist, by levelRef, with the version each was read at. */
export async function levelsOf(tenant: string, pairs: { iid: string; wid: string }[]): Promise<{ levels: Map<string, LevelState>; requests: number }> {
  const read = await readLevels(tenant, pairs);
  const levels = new Map(read.rows.map((r) => [levelRef(r.level.inventory_item_id, r.level.location_id), r]));
  return { levels, requests: read.requests };
}

/** One changed row of a chunk: its ledger row. */
export interface RowChange {
  ref: string;
  sku: string;
  before: number;
  after: number;
  reason: AdjustmentReason;
  note: string | null;
  reference: string | null;
}

/** What a chunk writes: each level once (its final quantity), a ledger row per changed row. */
export interface ChunkWrites {
  tenant: string;
  by: string;
  now: string;
  levels: Map<string, { state: LevelState; quantity: number }>;
  changes: RowChange[];
}

/**
 * Actions a chunk needs besides the caller's: per level and per changed row one each, and per shard
 * action the door may add for a level (store/levels.ts levelWriteCost).
 */
export function chunkActionCount(c: { levels: Level[]; changes: number }): number {
  return c.levels.reduce((n, l) => n + levelWriteCost(l), 0) + c.changes;
}

/** What writing one more level costs a chunk, in actions (the door's figure). */
export { levelWriteCost };

/** Label of a level's update in a chunk's transaction (a cancellation names it). */
const levelLabel = (ref: string) => `level:${ref}`;

/** A write of the caller's that goes with a chunk (an upload's error rows and checkpoint, a keyed bulk's progress). */
export type ChunkWrite = TxAction;

/** The most a chunk may hold, in the units of chunkActionCount, with `own` writes of the caller's besides. */
export const chunkRoom = (own: number) => MAX_TX_ACTIONS - own;

/**
 * Commit a chunk: the level updates (each on the version read), a ledger row per changed row,
 * then `extra` (an upload's error rows and checkpoint), in one transaction. 'committed'; 'nothing'
 * (no request); 'moved' when a level or a row moved since it was read (read again and decide
 * again); 'stopped' when the upload's checkpoint moved (another processor has the job).
 */
export async function commitChunk(c: ChunkWrites, extra: ChunkWrite[] = []): Promise<'committed' | 'nothing' | 'moved' | 'stopped'> {
  const actions: TxAction[] = [...extra];
  for (const [ref, { state, quantity }] of c.levels) {
    // the door's stock write (store/levels.ts): on the version read, writable, within bounds, with
    // whatever else the level needs in the same transaction (chunkActionCount counts it)
    actions.push(...(await setStocked(c.tenant, state.level, state.version, quantity, c.now, levelLabel(ref))).actions);
  }
  for (const ch of c.changes) {
    const { level } = c.levels.get(ch.ref)!.state;
    actions.push(
      ledgerPut({
        tenant: c.tenant,
        sku: ch.sku,
        inventory_item_id: level.inventory_item_id,
        warehouse_id: level.location_id,
        field: 'stocked_quantity',
        before: ch.before,
        after: ch.after,
        reason: ch.reason,
        note: ch.note,
        reference: ch.reference,
        created_by: c.by,
        at: c.now,
      }),
    );
  }
  if (!actions.length) return 'nothing';
  const refused = await transactOrCancelled(actions);
  if (!refused) return 'committed';
  return refused.failed.has(CHECKPOINT) ? 'stopped' : 'moved';
}
