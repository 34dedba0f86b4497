/**
 * The row pipeline of POST /api/inventory/bulk and CSV uploads: validate → resolve → decide → chunk → commit.
 *
 * - validate (the caller's: JSON rows or CSV records) gives each row a StockRow or an error;
 * - resolve: batched reads of the skus and warehouses rows name, then the same checks in the same
 *   order for both — FORBIDDEN_WAREHOUSE (the key's warehouses, as PUT /api/inventory/{sku} checks
 *   it first), INVENTORY_NOT_FOUND, WAREHOUSE_NOT_FOUND, READONLY_WAREHOUSE —, then the rows' levels;
 *   a level that does not exist yet is created empty (no stock, no ledger row), then set like any other;
 * - decide, per row in order, against the level as the rows before it in the chunk leave it: the
 *   target (`set`: the quantity; `adjust`: current + quantity); at its target already → `unchanged`
 *   (no ledger row, also when expected_quantity was the quantity before, so a re-sent request books
 *   nothing twice); else expected_quantity ≠ current → QUANTITY_MISMATCH; a target below 0 →
 *   NEGATIVE_QUANTITY, above 10⁹ → INVALID_QUANTITY;
 * - chunk: consecutive rows whose writes fit one transaction (each level once, a ledger row per
 *   changed row, plus what the caller adds per chunk);
 * - commit (store/rows.ts commitChunk): every guard is a condition of the transaction (level versions,
 *   the level's copy of its warehouse's read-only flag). A cancelled chunk is read again and decided again; from its fourth attempt
 *   one row at a time, and a row that still fails alone is reported (CONFLICT).
 *
 * Uploads add streaming and the checkpoint (core/uploads.ts): their chunks also write the failed
 * rows' errors and move the checkpoint, through `extra`.
 */
import { DomainError } from './errors.ts';
import type { Actor, AdjustmentReason } from './model.ts';
import { levelStatus, MAX_QUANTITY } from './model.ts';
import type { Level, LevelStatus } from './model.ts';
import { sees } from './access.ts';
import { createLevel } from '../store/levels.ts';
import { besideTheEffect } from '../store/idempotency.ts';
import { chunkActionCount, chunkRoom, commitChunk, levelWriteCost, itemIdsBySku, levelRef, levelsOf, warehousesById } from '../store/rows.ts';
import type { ChunkWrite, LevelState, RowChange } from '../store/rows.ts';
import { changingTooFast } from './retry.ts';
import type { Warehouse } from './model.ts';

export type RowMode = 'set' | 'adjust';

/** A valid row: what to do to one level. */
export interface StockRow {
  sku: string;
  warehouse_id: string;
  /** `set`: the new stocked quantity; `adjust`: the change. */
  quantity: number;
  reason: AdjustmentReason;
  note: string | null;
  reference: string | null;
  expected_quantity?: number;
}

export interface RowError {
  code: string;
  message: string;
}

/** A row going through the pipeline: `at` is its index (bulk) or line (upload). */
export interface PipelineRow {
  at: number;
  sku: string | null;
  warehouse_id: string | null;
  row?: StockRow;
  /** Set by validate or resolve: the row cannot apply whatever the stock is. */
  error?: RowError;
  /** After its chunk committed. */
  outcome?: 'applied' | 'unchanged' | 'failed';
  /** The decision's error (failed rows), after its chunk committed. */
  failure?: RowError;
  /** The item, once resolved. */
  iid?: string;
  /** Dry run: what the row would change (before → after per field), for a row that would apply. */
  diff?: RowDiff;
  /** Dry run: the level does not exist yet and would be created empty first. */
  createsLevel?: boolean;
}

/** A field's figure before and after a row (a dry run's answer). */
export interface Change {
  before: number;
  after: number;
}

/** What a row would change at its level: stocked, and what follows from it (available, status). */
export interface RowDiff {
  stocked_quantity: Change;
  available_quantity: Change;
  status: { before: LevelStatus; after: LevelStatus };
}

/** A chunk as committed: its rows, and which of them failed (with the decide errors). */
export interface Chunk {
  rows: PipelineRow[];
  failed: { row: PipelineRow; error: RowError }[];
  applied: number;
  unchanged: number;
}

export interface PipelineOptions {
  mode: RowMode;
  /** The ledger's created_by. */
  by: string;
  /** Writes of its own the caller adds to every chunk besides one per failed row (an upload's checkpoint). */
  reserved?: number;
  /** Failed rows are written in their chunk's transaction (uploads): each costs an action. */
  errorsInChunk?: boolean;
  /** The caller's actions of a chunk (error rows, checkpoint, a keyed bulk's progress); `applied`: the rows it changes. */
  extra?: (chunk: Chunk, now: string, applied: ReadonlySet<PipelineRow>) => ChunkWrite[];
  /** Checked before each chunk: true to stop (the job pauses). */
  shouldStop?: () => boolean;
  /** After each committed chunk. */
  committed?: (chunk: Chunk) => void;
  /** Keep skus and warehouses looked up across batches (an upload's many batches). */
  cacheLookups?: boolean;
  /** DynamoDB requests, counted as they are sent. */
  count?: (n: number) => void;
  /**
   * Dry run: decide every row against the stock as it is (and as the rows before it would leave it)
   * and write no level, no ledger row, no new level; each chunk commits only the caller's own
   * actions (an upload's checkpoint and report rows; a bulk has none, so it sends only reads).
   */
  dryRun?: boolean;
}

const forbidden = (wid: string) => ({ code: 'FORBIDDEN_WAREHOUSE', message: `This API key may not change stock at warehouse ${wid}` });
const readonly = (wid: string) => ({ code: 'READONLY_WAREHOUSE', message: `Warehouse ${wid} is read-only: its stock cannot be changed here` });

export class RowPipeline {
  private readonly items = new Map<string, string | null>(); // sku → item id (null: none)
  private readonly warehouses = new Map<string, Warehouse | null>();
  /** Dry run: levels as the rows decided so far would leave them (across batches: an upload's). */
  private readonly simulated = new Map<string, LevelState>();

  constructor(
    readonly actor: Actor,
    readonly opts: PipelineOptions,
  ) {}

  private count(n: number) {
    this.opts.count?.(n);
  }

  /** Resolve, decide, chunk and commit a batch of validated rows, in order. */
  async run(rows: PipelineRow[]): Promise<'ok' | 'paused' | 'stopped'> {
    if (!rows.length) return 'ok';
    await this.resolve(rows);
    const levels = await this.prepareLevels(rows);
    let i = 0;
    while (i < rows.length) {
      if (this.opts.shouldStop?.()) return 'paused';
      let attempt = 0;
      for (;;) {
        const plan = this.plan(rows, i, levels, attempt >= 3);
        const outcome = await this.commit(plan);
        if (outcome === 'stopped') return 'stopped'; // the upload's checkpoint moved: another processor has the job
        if (outcome !== 'moved') {
          i += plan.chunk.rows.length;
          break;
        }
        attempt++;
        // a level moved underneath (another writer), a warehouse turned read-only or went: read again, decide again
        await this.resolve(plan.chunk.rows, { fresh: true });
        for (const [k, v] of await this.prepareLevels(plan.chunk.rows)) levels.set(k, v);
        if (attempt >= 3 && plan.chunk.rows.length === 1 && !plan.chunk.rows[0]!.error) {
          plan.chunk.rows[0]!.error = { code: 'CONFLICT', message: 'The level kept changing while this row was applied; send it again' };
        }
        if (attempt > 12) throw changingTooFast();
      }
    }
    return 'ok';
  }

  /** The checks that need no stock: the key's warehouses, the sku, the warehouse (exists, writable). */
  private async resolve(rows: PipelineRow[], opts: { fresh?: boolean } = {}) {
    const t = this.actor.tenant;
    const open = rows.filter((r) => !r.error && r.row);
    if (opts.fresh) for (const r of open) this.warehouses.delete(r.row!.warehouse_id);
    const skus = [...new Set(open.filter((r) => !this.items.has(r.row!.sku)).map((r) => r.row!.sku))];
    const wids = [
      ...new Set(open.filter((r) => sees(this.actor, r.row!.warehouse_id) && !this.warehouses.has(r.row!.warehouse_id)).map((r) => r.row!.warehouse_id)),
    ];
    const [items, whs] = await Promise.all([itemIdsBySku(t, skus), warehousesById(t, wids)]);
    this.count(items.requests + whs.requests);
    for (const [k, v] of items.ids) this.items.set(k, v);
    for (const [k, v] of whs.warehouses) this.warehouses.set(k, v);
    for (const r of open) {
      const { sku, warehouse_id: wid } = r.row!;
      const wh = this.warehouses.get(wid);
      r.iid = this.items.get(sku) ?? undefined;
      if (!sees(this.actor, wid)) r.error = forbidden(wid);
      else if (!r.iid) r.error = { code: 'INVENTORY_NOT_FOUND', message: `SKU ${sku} has no inventory record` };
      else if (!wh) r.error = { code: 'WAREHOUSE_NOT_FOUND', message: `Warehouse ${wid} does not exist` };
      else if (wh.is_readonly) r.error = readonly(wid);
    }
    if (!this.opts.cacheLookups || this.items.size > 200_000) this.items.clear(); // bounded memory on huge catalogues
    if (!this.opts.cacheLookups) this.warehouses.clear();
  }

  /** The rows' levels, read fresh; missing ones created empty (harmless to repeat), unless every row for it fails against 0. */
  private async prepareLevels(rows: PipelineRow[]): Promise<Map<string, LevelState>> {
    const open = () => rows.filter((r) => !r.error && r.iid);
    const read = async (rs: PipelineRow[]) => {
      const out = await levelsOf(
        this.actor.tenant,
        rs.map((r) => ({ iid: r.iid!, wid: r.row!.warehouse_id })),
      );
      this.count(out.requests);
      return out.levels;
    };
    const levels = await read(open());
    const missing = new Map<string, PipelineRow[]>();
    for (const r of open()) {
      const ref = levelRef(r.iid!, r.row!.warehouse_id);
      if (!levels.has(ref)) missing.set(ref, [...(missing.get(ref) ?? []), r]);
    }
    const create = [...missing.values()].filter((rs) => rs.some((r) => r.row!.expected_quantity === undefined || r.row!.expected_quantity === 0));
    if (this.opts.dryRun) {
      // nothing created: a missing level is decided as the empty level a real run would create
      for (const r of open()) {
        const ref = levelRef(r.iid!, r.row!.warehouse_id);
        const sim = this.simulated.get(ref);
        if (sim) levels.set(ref, sim);
      }
      for (const rs of create) {
        const [first] = rs as [PipelineRow];
        const ref = levelRef(first.iid!, first.row!.warehouse_id);
        if (this.simulated.has(ref)) continue; // an earlier batch's row would have created it
        levels.set(ref, { level: emptyLevel(first.iid!, first.row!.warehouse_id, first.row!.sku), version: 0 });
        for (const r of rs) r.createsLevel = true;
      }
      return levels;
    }
    if (!create.length) return levels;
    const ctx = { tenant: this.actor.tenant, by: this.opts.by, now: new Date().toISOString() };
    for (const rs of create) {
      const [first] = rs as [PipelineRow];
      try {
        // an empty level is no effect of the request: it never carries (commits) an Idempotency-Key's claim
        await besideTheEffect(() => createLevel(ctx, first.iid!, { location_id: first.row!.warehouse_id }));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code !== 'CONFLICT') for (const r of rs) r.error = { code: err.code, message: err.message };
      }
      this.count(3);
    }
    for (const [k, v] of await read(create.flat().filter((r) => !r.error))) levels.set(k, v);
    return levels;
  }

  /** Decide the rows from `start` that fit one transaction. */
  private plan(rows: PipelineRow[], start: number, levels: Map<string, LevelState>, single: boolean) {
    const now = new Date().toISOString();
    const touched = new Map<string, { state: LevelState; quantity: number }>();
    const changes: (RowChange & { row: PipelineRow })[] = [];
    const chunk: Chunk = { rows: [], failed: [], applied: 0, unchanged: 0 };
    const budget = chunkRoom(this.opts.reserved ?? 0);
    const errorCost = this.opts.errorsInChunk ? 1 : 0;
    const used = () => chunkActionCount({ levels: [...touched.values()].map((t) => t.state.level), changes: changes.length }) + chunk.failed.length * errorCost;
    const fail = (r: PipelineRow, error: RowError) => {
      chunk.rows.push(r);
      chunk.failed.push({ row: r, error });
    };
    for (let i = start; i < rows.length; i++) {
      const r = rows[i]!;
      if (single && chunk.rows.length) break;
      if (used() + errorCost > budget) break;
      if (r.error || !r.row || !r.iid) {
        fail(r, r.error ?? { code: 'VALIDATION_ERROR', message: 'invalid row' });
        continue;
      }
      const row = r.row;
      const ref = levelRef(r.iid, row.warehouse_id);
      const state = levels.get(ref);
      if (!state) {
        // a level not created (each row for it failed against an empty one) or deleted meanwhile
        if (this.opts.mode === 'set' && row.quantity === 0) {
          chunk.rows.push(r);
          chunk.unchanged++;
        } else fail(r, decideError(row, 0, row.quantity) ?? { code: 'CONFLICT', message: 'The level was deleted while this row was applied; send it again' });
        continue;
      }
      const current = touched.get(ref)?.quantity ?? state.level.stocked_quantity;
      const target = this.opts.mode === 'set' ? row.quantity : current + row.quantity;
      if (target === current) {
        chunk.rows.push(r);
        chunk.unchanged++;
        continue;
      }
      const error = decideError(row, current, target);
      if (error) {
        fail(r, error);
        continue;
      }
      // a level, once (with what the store's write of it costs), and a ledger row
      const cost = (touched.has(ref) ? 0 : levelWriteCost(state.level)) + 1;
      if (used() + cost > budget) break;
      touched.set(ref, { state, quantity: target });
      changes.push({ row: r, ref, sku: row.sku, before: current, after: target, reason: row.reason, note: row.note, reference: row.reference });
      chunk.rows.push(r);
      chunk.applied++;
    }
    return { chunk, writes: { tenant: this.actor.tenant, by: this.opts.by, now, levels: touched, changes }, changes };
  }

  private async commit(plan: ReturnType<RowPipeline['plan']>) {
    const { chunk, writes } = plan;
    if (this.opts.dryRun) {
      // what each changed row would do, from the level as the rows before it leave it
      for (const c of plan.changes) {
        const { level } = writes.levels.get(c.ref)!.state;
        const shown = (stocked: number) => level.available_quantity + (stocked - level.stocked_quantity);
        const status = (stocked: number) => levelStatus(shown(stocked), level.safety_stock, level.reorder_level);
        c.row.diff = {
          stocked_quantity: { before: c.before, after: c.after },
          available_quantity: { before: shown(c.before), after: shown(c.after) },
          status: { before: status(c.before), after: status(c.after) },
        };
      }
    }
    const extra = this.opts.extra?.(chunk, writes.now, new Set(plan.changes.map((c) => c.row))) ?? [];
    // a dry run's chunk commits only the caller's own actions (none for a bulk: no request at all)
    const outcome = await commitChunk(this.opts.dryRun ? { ...writes, levels: new Map(), changes: [] } : writes, extra);
    if (outcome !== 'nothing') this.count(1);
    if (outcome === 'moved' || outcome === 'stopped') return outcome;
    // what is now true in the table
    for (const { state, quantity } of writes.levels.values()) {
      state.level = {
        ...state.level,
        stocked_quantity: quantity,
        available_quantity: state.level.available_quantity + (quantity - state.level.stocked_quantity),
      };
      state.version++;
      if (this.opts.dryRun) this.simulated.set(levelRefOf(state.level), state);
    }
    const failed = new Map(chunk.failed.map((f) => [f.row, f.error]));
    for (const r of chunk.rows) {
      const error = failed.get(r);
      r.outcome = error ? 'failed' : plan.changes.some((c) => c.row === r) ? 'applied' : 'unchanged';
      if (error) r.failure = error;
    }
    this.opts.committed?.(chunk);
  }
}

const levelRefOf = (l: Level) => levelRef(l.inventory_item_id, l.location_id);

/** The level a real run would create for a row whose level does not exist (a dry run decides against it). */
function emptyLevel(iid: string, wid: string, sku: string): Level {
  return {
    id: '',
    inventory_item_id: iid,
    location_id: wid,
    sku,
    stocked_quantity: 0,
    reserved_quantity: 0,
    incoming_quantity: 0,
    safety_stock: 0,
    available_quantity: 0,
    reorder_level: 0,
    reorder_quantity: 0,
    bin_location: null,
    metadata: null,
    created_at: '',
    updated_at: '',
  };
}

/** Why a row that changes its level cannot: compare-and-set, and the bounds of stocked_quantity. */
function decideError(row: StockRow, current: number, target: number): RowError | undefined {
  if (row.expected_quantity !== undefined && row.expected_quantity !== current) {
    return { code: 'QUANTITY_MISMATCH', message: `expected_quantity ${row.expected_quantity} does not match the current stocked quantity ${current}` };
  }
  if (target < 0) return { code: 'NEGATIVE_QUANTITY', message: `stocked_quantity would become ${target} (current ${current}, change ${row.quantity})` };
  if (target > MAX_QUANTITY)
    return { code: 'INVALID_QUANTITY', message: `stocked_quantity would become ${target} (current ${current}, change ${row.quantity})` };
  return undefined;
}
