/**
 * Transfers as shipments (issue 25): a record `T#t#X#<trf>` / `TRANSFER` with its lines and steps,
 * and the level writes of each step through the level's door (store/levels.ts stateWrite):
 *
 * - create: the record (draft), nothing moves.
 * - ship: one transaction — per line the source's on-hand −q (its available must cover q: never
 *   reserved or safety stock), the destination's in_transit +q, a ledger row each; the record
 *   `draft → in_transit` on the version read.
 * - receive (in parts): one transaction per receipt — per line in_transit −(accepted + rejected) at
 *   the destination, accepted (and rejected units kept in a named state) on its on-hand, rejected
 *   units sent back on the source's on-hand; the record's received / rejected counts on the version
 *   read, so two receipts of one line never over-receive and a receipt racing a cancel applies once.
 * - cancel: a draft just ends; shipped units still in transit go back to the source's on-hand.
 * - close: a fully received (or cancelled) transfer is closed.
 *
 * Every step conditions the record on its version and status, and a warehouse-limited key's limit
 * (ship and cancel at the source, receive at the destination) in the same condition.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, insufficientStock } from '../core/errors.ts';
import { MAX_QUANTITY, stateField } from '../core/model.ts';
import type { AdjustmentReason, Level, StockState } from '../core/model.ts';
import { createLevel, figureOf, stateWrite, stockRefusal } from './levels.ts';
import type { StateDeltas } from './levels.ts';
import { db, noteRef, RETRY, tableName, transactOrCancelled, TX_LIMIT, withoutClaim, withRetry } from './db.ts';
import type { Cancellation, TxAction } from './db.ts';
import { TransferEntity } from './entities.ts';
import { loadItem } from './items.ts';
import type { ItemRecord } from './items.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { filteredNewestFirst } from './query.ts';
import { warehouseFlag } from './locations.ts';

export const TRANSFER_STATUSES = ['draft', 'in_transit', 'partially_received', 'received', 'cancelled', 'closed'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
/** Where rejected units of a receipt go: a named state at the destination, or back to the source's on-hand. */
export type RejectedTo = StockState | 'source';

export interface TransferLine {
  sku: string;
  inventory_item_id: string;
  quantity: number;
  shipped: number;
  received: number;
  rejected: number;
}
export interface TransferStep {
  step: 'created' | 'shipped' | 'received' | 'cancelled' | 'closed';
  at: string;
  by: string;
  /** A receipt's counts per line, or the units a cancel sent back. */
  lines?: { sku: string; accepted?: number; rejected?: number; rejected_to?: RejectedTo; returned?: number }[];
}
export interface TransferRecord {
  id: string;
  status: TransferStatus;
  from_warehouse_id: string;
  to_warehouse_id: string;
  reference: string | null;
  note: string | null;
  lines: TransferLine[];
  steps: TransferStep[];
  created_by: string;
  created_at: string;
  shipped_at: string | null;
  received_at: string | null;
  cancelled_at: string | null;
  closed_at: string | null;
  updated_at: string;
}

/** Actions one line costs at ship or cancel (source level, destination level, two ledger rows); a hot source adds its shards. */
export const ACTIONS_PER_LINE = 4;

export const transferTooLarge = (needed: number) =>
  new DomainError(
    'TRANSFER_TOO_LARGE',
    `This step of the transfer needs ${needed} actions in one transaction; at most ${TX_LIMIT} fit. Split it into smaller transfers (or receipts).`,
    [{ field: 'lines', message: `needs ${needed} transaction actions, at most ${TX_LIMIT}` }],
  );

/** A draft whose ship or cancel could not fit one transaction is refused when created (422 TRANSFER_TOO_LARGE naming `lines`). */
export function fitsOneStep(lines: number): void {
  const needed = lines * ACTIONS_PER_LINE + 1;
  if (needed > TX_LIMIT) throw transferTooLarge(needed);
}

const transferNotFound = (id: string) => new DomainError('NOT_FOUND', `Transfer with id: ${id} was not found`);
const wrongStatus = (t: { id: string; status: string }, step: string) =>
  new DomainError('CONFLICT', `Transfer ${t.id} is ${t.status}: it cannot be ${step}`, undefined, { status: t.status });
const forbiddenSide = (wid: string, side: string) =>
  new DomainError('FORBIDDEN_WAREHOUSE', `This API key may not change stock at warehouse ${wid} (the transfer's ${side})`);

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB items are untyped here; the entities type them
type Row = Record<string, any>;

/** Fields in a fixed order (DynamoDB keeps a map's keys in no order). */
const ordered = <T extends Record<string, unknown>>(o: T, keys: string[]): T =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as T;
const LINE_FIELDS = ['sku', 'inventory_item_id', 'quantity', 'shipped', 'received', 'rejected'];
const STEP_FIELDS = ['step', 'at', 'by', 'lines'];
const STEP_LINE_FIELDS = ['sku', 'accepted', 'rejected', 'rejected_to', 'returned'];

const shown = (row: Row): TransferRecord => {
  const r = strip<TransferRecord & { sku_list?: unknown }>(row);
  delete r.sku_list;
  r.lines = r.lines.map((l) => ordered(l as unknown as Row, LINE_FIELDS) as unknown as TransferLine);
  r.steps = r.steps.map((st) => {
    const out = ordered(st as unknown as Row, STEP_FIELDS) as unknown as TransferStep;
    if (out.lines) out.lines = out.lines.map((l) => ordered(l as Row, STEP_LINE_FIELDS) as typeof l);
    return out;
  });
  return r;
};

/** A transfer as answered, from its row (a read's or a stream image's). */
export const transferOfRow = (row: Row): TransferRecord => shown(row);

async function readRow(tenant: string, id: string): Promise<Row | undefined> {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.transfer(tenant, id), ConsistentRead: true }))).Item;
}

export async function getTransfer(tenant: string, id: string): Promise<TransferRecord | undefined> {
  const row = await readRow(tenant, id);
  return row ? shown(row) : undefined;
}

/** A draft: the record, nothing else (the Idempotency-Key's claim rides with it). */
export async function createTransfer(ctx: WriteContext, t: TransferRecord): Promise<void> {
  noteRef(t.id);
  const row = TransferEntity.row(ctx.tenant, t, { version: 1, sku_list: t.lines.map((l) => l.sku) });
  const refused = await transactOrCancelled([
    { label: 'transfer', item: { Put: { TableName: tableName(), Item: row, ConditionExpression: 'attribute_not_exists(PK)' } } },
  ]);
  if (refused) throw new DomainError('CONFLICT', `Transfer ${t.id} exists already`);
}

/** Whether a warehouse can take the transfer (exists; read-only only matters for stock writes). */
export const warehouseOf = (tenant: string, wid: string) => warehouseFlag(tenant, wid);

export interface TransferFilter {
  status?: TransferStatus;
  warehouse_id?: string;
  sku?: string;
  /** A warehouse-limited key sees transfers with one side among these. */
  warehouse_ids?: string[];
  limit: number;
  cursor?: string;
}

/**
 * A tenant's transfers, newest first (GSI1 `T#t#XFERS`), filtered by status, warehouse (either side)
 * and SKU. The index projects none of what a step changes (lib/table-definition.ts INDEX_ATTRIBUTES),
 * so each page of index entries is read back from the table by key (one BatchGetItem) and filtered
 * here; a page still evaluates at most `limit` entries, at most 5 pages a request.
 */
export async function listTransfers(tenant: string, q: TransferFilter): Promise<{ rows: TransferRecord[]; next?: string }> {
  const pos = decodeCursor(q.cursor, ['id']);
  const keep = (r: Row): boolean =>
    (!q.status || r.status === q.status) &&
    (!q.warehouse_id || r.from_warehouse_id === q.warehouse_id || r.to_warehouse_id === q.warehouse_id) &&
    (!q.sku || (Array.isArray(r.sku_list) && r.sku_list.includes(q.sku))) &&
    (!q.warehouse_ids?.length || q.warehouse_ids.includes(String(r.from_warehouse_id)) || q.warehouse_ids.includes(String(r.to_warehouse_id)));
  const start = pos ? { ...keys.transfer(tenant, pos.id), ...keys.transferIndex(tenant, pos.id) } : undefined;
  const page = await filteredNewestFirst(keys.transfersPartition(tenant), start, q.limit, (rows) => rows.filter(keep).map(shown));
  return page.after === undefined ? { rows: page.rows } : { rows: page.rows, next: encodeCursor({ id: page.after }) };
}

// ---------- the steps ----------

/** The record's update of a step: on the version read, in one of `from` statuses, on the key's side. */
function recordStep(
  tenant: string,
  t: Row,
  step: {
    status: TransferStatus;
    from: TransferStatus[];
    lines?: TransferLine[];
    entry: TransferStep;
    at: Partial<Record<'shipped_at' | 'received_at' | 'cancelled_at' | 'closed_at', string>>;
  },
  side?: { attr: 'from_warehouse_id' | 'to_warehouse_id'; warehouseIds: string[] },
): TxAction {
  const values: Row = { ':v': Number(t.version), ':next': Number(t.version) + 1, ':status': step.status, ':entry': [step.entry], ':now': step.entry.at };
  const sets = ['#status = :status', 'version = :next', 'updated_at = :now', '#steps = list_append(#steps, :entry)'];
  if (step.lines) {
    values[':lines'] = step.lines;
    sets.push('#lines = :lines');
  }
  for (const [k, v] of Object.entries(step.at)) {
    values[`:${k}`] = v;
    sets.push(`${k} = :${k}`);
  }
  const from = step.from.map((s, i) => {
    values[`:from${i}`] = s;
    return `:from${i}`;
  });
  let condition = `version = :v AND #status IN (${from.join(', ')})`;
  if (side?.warehouseIds.length) {
    const list = side.warehouseIds.map((w, i) => {
      values[`:kw${i}`] = w;
      return `:kw${i}`;
    });
    condition += ` AND ${side.attr} IN (${list.join(', ')})`;
  }
  return {
    label: 'transfer',
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.transfer(tenant, String(t.id)),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status', '#steps': 'steps', ...(step.lines ? { '#lines': 'lines' } : {}) },
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** Why the record's update was refused: gone, another status (an answer), the key's side (403), or moved (RETRY). */
function recordRefusal(
  refused: Cancellation,
  t: Row,
  step: string,
  from: TransferStatus[],
  side?: { attr: 'from_warehouse_id' | 'to_warehouse_id'; warehouseIds: string[] },
) {
  if (!refused.failed.has('transfer')) return undefined;
  const old = refused.failed.get('transfer');
  if (!old) return transferNotFound(String(t.id));
  if (side?.warehouseIds.length && !side.warehouseIds.includes(String(old[side.attr])))
    return forbiddenSide(String(old[side.attr]), side.attr === 'from_warehouse_id' ? 'source' : 'destination');
  if (!from.includes(old.status as TransferStatus)) return wrongStatus({ id: String(old.id), status: String(old.status) }, step);
  return RETRY;
}

/** A level read after the record shows a later step than the record did: plan again from a fresh read. */
class StalePlan extends Error {}
/** A step's attempt; a stale plan is read again (withRetry's bound applies). */
const attempt = (step: () => Promise<true | typeof RETRY>) => async () => {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StalePlan) return RETRY;
    throw err;
  }
};

interface Planned {
  actions: TxAction[];
  /** Per level label: what it was planned from (to say why it was refused). */
  levels: Map<string, { level: Level; version: number; minAvailable?: number; pulled: number; sku: string }>;
}

/** The items of the transfer's lines, each read once (its levels with their versions). */
async function itemsOf(tenant: string, lines: TransferLine[]): Promise<Map<string, ItemRecord>> {
  const out = new Map<string, ItemRecord>();
  await Promise.all(
    lines.map(async (l) => {
      const rec = await loadItem(tenant, l.inventory_item_id);
      if (!rec) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${l.sku} has no inventory record`);
      out.set(l.inventory_item_id, rec);
    }),
  );
  return out;
}

/** A level write of a step (through the door), with its ledger rows, planned from the level as read. */
async function levelStep(
  ctx: WriteContext,
  plan: Planned,
  rec: ItemRecord,
  wid: string,
  label: string,
  change: { stocked?: number; states?: StateDeltas; minAvailable?: number },
  ledger: { reason: AdjustmentReason; reference: string; note: string | null },
): Promise<void> {
  const level = rec.levels.find((l) => l.location_id === wid);
  const sku = rec.item.sku ?? rec.item.id;
  if (!level) throw new DomainError('INVENTORY_NOT_FOUND', `SKU ${sku} has no stock at warehouse ${wid}`);
  const version = rec.levelVersions[wid];
  // the record and the levels are read one after the other: a level that already shows a later step
  // (in transit taken by another receipt) makes the plan stale — read again (the record's version moved too)
  if (change.minAvailable !== undefined && level.available_quantity < change.minAvailable)
    throw insufficientStock(sku, wid, level.available_quantity, change.minAvailable);
  for (const [f, d] of Object.entries(change.states ?? {}) as [keyof StateDeltas, number][]) if (figureOf(level, f) + d < 0) throw new StalePlan();
  if (level.stocked_quantity + (change.stocked ?? 0) < 0) throw new StalePlan();
  const w = await stateWrite(ctx.tenant, level, version, change, ctx.now, label);
  plan.actions.push(...w.actions);
  plan.levels.set(label, { level, version, minAvailable: change.minAvailable, pulled: w.pulled, sku });
  const base = { tenant: ctx.tenant, sku: rec.item.sku, inventory_item_id: rec.item.id, warehouse_id: wid, created_by: ctx.by, at: ctx.now, ...ledger };
  const fields: [keyof StateDeltas | 'stocked_quantity', number][] = [
    ['stocked_quantity', change.stocked ?? 0],
    ...(Object.entries(change.states ?? {}) as [keyof StateDeltas, number][]),
  ];
  for (const [field, d] of fields) {
    if (!d) continue;
    const before = figureOf(level, field);
    plan.actions.push(ledgerPut({ ...base, field, before, after: before + d }));
  }
}

/** Run a step's transaction; a refusal becomes an answer (the record's, then the levels') or RETRY. */
async function commitStep(
  ctx: WriteContext,
  plan: Planned,
  refusal: (refused: Cancellation) => DomainError | typeof RETRY | undefined,
): Promise<true | typeof RETRY> {
  if (plan.actions.length > TX_LIMIT) throw transferTooLarge(plan.actions.length);
  const refused = await transactOrCancelled(plan.actions);
  if (!refused) return true;
  const own = refusal(refused);
  if (own && own !== RETRY) throw own;
  if (own === RETRY) return RETRY;
  for (const [label, p] of plan.levels) {
    const why = await stockRefusal(ctx.tenant, refused, label, { ...p.level, sku: p.sku }, p.version, { minAvailable: p.minAvailable, pulled: p.pulled });
    if (why && why !== RETRY) throw why;
  }
  return RETRY;
}

const noSide = undefined;

/** Ship a draft: every line leaves the source's on-hand (available covers it) and is in transit toward the destination, in one transaction. */
export async function shipTransfer(ctx: WriteContext, id: string, warehouseIds: string[] = []): Promise<void> {
  const side = warehouseIds.length ? { attr: 'from_warehouse_id' as const, warehouseIds } : noSide;
  let created = false;
  await withRetry(
    attempt(async () => {
      const t = await readRow(ctx.tenant, id);
      if (!t) throw transferNotFound(id);
      if (side && !warehouseIds.includes(t.from_warehouse_id)) throw forbiddenSide(t.from_warehouse_id, 'source');
      if (t.status !== 'draft') throw wrongStatus({ id, status: t.status }, 'shipped');
      const lines = (t.lines as TransferLine[]).map((l) => ({ ...l }));
      let items = await itemsOf(ctx.tenant, lines);
      // a destination without a level of the item gets an empty one first (no stock moves; its own write)
      const missing = lines.filter((l) => !items.get(l.inventory_item_id)!.levels.some((lv) => lv.location_id === t.to_warehouse_id));
      if (missing.length && !created) {
        created = true;
        await withoutClaim(() =>
          Promise.all(
            missing.map((l) =>
              createLevel(ctx, l.inventory_item_id, { location_id: t.to_warehouse_id }).catch((err) => {
                if (!(err instanceof DomainError) || err.code !== 'CONFLICT') throw err;
              }),
            ),
          ),
        );
        items = await itemsOf(ctx.tenant, lines);
      }
      const plan: Planned = { actions: [], levels: new Map() };
      const ledger = { reference: id, note: t.note ?? null };
      for (const [i, l] of lines.entries()) {
        const rec = items.get(l.inventory_item_id)!;
        await levelStep(
          ctx,
          plan,
          rec,
          t.from_warehouse_id,
          `source:${i}`,
          { stocked: -l.quantity, minAvailable: l.quantity },
          { ...ledger, reason: 'transfer_out' },
        );
        await levelStep(
          ctx,
          plan,
          rec,
          t.to_warehouse_id,
          `destination:${i}`,
          { states: { in_transit_quantity: l.quantity } },
          { ...ledger, reason: 'transfer_out' },
        );
        l.shipped = l.quantity;
      }
      plan.actions.push(
        recordStep(
          ctx.tenant,
          t,
          { status: 'in_transit', from: ['draft'], lines, entry: { step: 'shipped', at: ctx.now, by: ctx.by }, at: { shipped_at: ctx.now } },
          side,
        ),
      );
      return commitStep(ctx, plan, (r) => recordRefusal(r, t, 'shipped', ['draft'], side));
    }),
  );
}

export interface ReceiptLine {
  sku: string;
  accepted: number;
  rejected: number;
  rejected_to: RejectedTo;
}

/** One receipt: accepted units on the destination's on-hand, rejected ones in a named state there or back at the source; one transaction. */
export async function receiveTransfer(ctx: WriteContext, id: string, receipt: ReceiptLine[], warehouseIds: string[] = []): Promise<void> {
  const side = warehouseIds.length ? { attr: 'to_warehouse_id' as const, warehouseIds } : noSide;
  const open: TransferStatus[] = ['in_transit', 'partially_received'];
  await withRetry(
    attempt(async () => {
      const t = await readRow(ctx.tenant, id);
      if (!t) throw transferNotFound(id);
      if (side && !warehouseIds.includes(t.to_warehouse_id)) throw forbiddenSide(t.to_warehouse_id, 'destination');
      if (!open.includes(t.status)) throw wrongStatus({ id, status: t.status }, 'received');
      const lines = (t.lines as TransferLine[]).map((l) => ({ ...l }));
      const items = await itemsOf(ctx.tenant, lines);
      const plan: Planned = { actions: [], levels: new Map() };
      const ledger = { reference: id, note: t.note ?? null };
      // per line of the transfer, the sums of this receipt (a sku may come in several receipt lines)
      const perLine = new Map<number, { accepted: number; rejected: Map<RejectedTo, number> }>();
      receipt.forEach((r, ri) => {
        const li = lines.findIndex((l) => l.sku === r.sku);
        if (li < 0)
          throw new DomainError('VALIDATION_ERROR', `lines.${ri}.sku: ${r.sku} is not a line of transfer ${id}`, [
            { field: `lines.${ri}.sku`, message: 'not a line of this transfer' },
          ]);
        const cur = perLine.get(li) ?? { accepted: 0, rejected: new Map() };
        cur.accepted += r.accepted;
        if (r.rejected) cur.rejected.set(r.rejected_to, (cur.rejected.get(r.rejected_to) ?? 0) + r.rejected);
        perLine.set(li, cur);
        const l = lines[li];
        const rejected = [...cur.rejected.values()].reduce((a, b) => a + b, 0);
        const remaining = l.shipped - l.received - l.rejected;
        if (cur.accepted + rejected > remaining)
          throw new DomainError(
            'INVALID_QUANTITY',
            `lines.${ri}.accepted: ${cur.accepted} accepted + ${rejected} rejected of ${r.sku} is more than the ${remaining} still in transit`,
            [{ field: `lines.${ri}.accepted`, message: `at most ${remaining} in transit` }],
            { in_transit: remaining },
          );
      });
      let back = 0;
      const backLines: { rec: ItemRecord; q: number; i: number }[] = [];
      for (const [li, r] of perLine) {
        const l = lines[li];
        const rec = items.get(l.inventory_item_id)!;
        const states: StateDeltas = {};
        let kept = 0;
        let rejected = 0;
        for (const [to, q] of r.rejected) {
          rejected += q;
          if (to === 'source') backLines.push({ rec, q, i: li });
          else {
            states[stateField(to)] = (states[stateField(to)] ?? 0) + q;
            kept += q;
          }
        }
        states.in_transit_quantity = -(r.accepted + rejected);
        const level = rec.levels.find((lv) => lv.location_id === t.to_warehouse_id);
        if (level && level.stocked_quantity + r.accepted + kept > MAX_QUANTITY)
          throw new DomainError('INVALID_QUANTITY', `lines: ${l.sku} would pass ${MAX_QUANTITY} on hand`, [
            { field: 'lines', message: `above ${MAX_QUANTITY}` },
          ]);
        await levelStep(ctx, plan, rec, t.to_warehouse_id, `destination:${li}`, { stocked: r.accepted + kept, states }, { ...ledger, reason: 'transfer_in' });
        l.received += r.accepted;
        l.rejected += rejected;
      }
      for (const b of backLines) {
        back += b.q;
        await levelStep(ctx, plan, b.rec, t.from_warehouse_id, `source:${b.i}`, { stocked: b.q }, { ...ledger, reason: 'return' });
      }
      void back;
      const done = lines.every((l) => l.received + l.rejected >= l.shipped);
      const entry: TransferStep = {
        step: 'received',
        at: ctx.now,
        by: ctx.by,
        lines: receipt.map((r) => ({ sku: r.sku, accepted: r.accepted, rejected: r.rejected, rejected_to: r.rejected_to })),
      };
      plan.actions.push(
        recordStep(ctx.tenant, t, { status: done ? 'received' : 'partially_received', from: open, lines, entry, at: { received_at: ctx.now } }, side),
      );
      return commitStep(ctx, plan, (r) => recordRefusal(r, t, 'received', open, side));
    }),
  );
}

/** Cancel: a draft ends; units still in transit go back to the source's on-hand, in one transaction. */
export async function cancelTransfer(ctx: WriteContext, id: string, warehouseIds: string[] = []): Promise<void> {
  const side = warehouseIds.length ? { attr: 'from_warehouse_id' as const, warehouseIds } : noSide;
  const open: TransferStatus[] = ['draft', 'in_transit', 'partially_received'];
  await withRetry(
    attempt(async () => {
      const t = await readRow(ctx.tenant, id);
      if (!t) throw transferNotFound(id);
      if (side && !warehouseIds.includes(t.from_warehouse_id)) throw forbiddenSide(t.from_warehouse_id, 'source');
      if (!open.includes(t.status)) throw wrongStatus({ id, status: t.status }, 'cancelled');
      const lines = (t.lines as TransferLine[]).map((l) => ({ ...l }));
      const plan: Planned = { actions: [], levels: new Map() };
      const returned: { sku: string; returned: number }[] = [];
      if (t.status !== 'draft') {
        const items = await itemsOf(ctx.tenant, lines);
        const ledger = { reference: id, note: t.note ?? null, reason: 'return' as const };
        for (const [i, l] of lines.entries()) {
          const rest = l.shipped - l.received - l.rejected;
          if (rest <= 0) continue;
          const rec = items.get(l.inventory_item_id)!;
          await levelStep(ctx, plan, rec, t.to_warehouse_id, `destination:${i}`, { states: { in_transit_quantity: -rest } }, ledger);
          await levelStep(ctx, plan, rec, t.from_warehouse_id, `source:${i}`, { stocked: rest }, ledger);
          returned.push({ sku: l.sku, returned: rest });
        }
      }
      const entry: TransferStep = { step: 'cancelled', at: ctx.now, by: ctx.by, ...(returned.length ? { lines: returned } : {}) };
      plan.actions.push(recordStep(ctx.tenant, t, { status: 'cancelled', from: [t.status], lines, entry, at: { cancelled_at: ctx.now } }, side));
      return commitStep(ctx, plan, (r) => recordRefusal(r, t, 'cancelled', [t.status], side));
    }),
  );
}

/** Close a received (or cancelled) transfer: nothing in transit is left; the record only. */
export async function closeTransfer(ctx: WriteContext, id: string, warehouseIds: string[] = []): Promise<void> {
  const from: TransferStatus[] = ['received', 'cancelled'];
  await withRetry(
    attempt(async () => {
      const t = await readRow(ctx.tenant, id);
      if (!t) throw transferNotFound(id);
      const mine = !warehouseIds.length || warehouseIds.includes(t.from_warehouse_id) || warehouseIds.includes(t.to_warehouse_id);
      if (!mine) throw transferNotFound(id);
      if (!from.includes(t.status)) throw wrongStatus({ id, status: t.status }, 'closed');
      const plan: Planned = {
        actions: [recordStep(ctx.tenant, t, { status: 'closed', from, entry: { step: 'closed', at: ctx.now, by: ctx.by }, at: { closed_at: ctx.now } })],
        levels: new Map(),
      };
      return commitStep(ctx, plan, (r) => recordRefusal(r, t, 'closed', from));
    }),
  );
}
