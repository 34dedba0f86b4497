/**
 * Inbound supply (issue 25 item 3): records of stock on its way (a purchase order, a transfer, a
 * production run) with lines of a SKU, a quantity and an expected date, at one warehouse.
 *
 * - The header (`T#t#IN#<id>` / `INBOUND`) is written once, at creation: type, reference, warehouse,
 *   and per line its sku, item, quantity and expected_at. Nothing updates it, so receipts of
 *   different lines of one record share no row.
 * - Each line's state is its own row in its item's partition (`T#t#I#<iid>` / `IN#<id>#<line>`):
 *   received_quantity, status (open → received | cancelled). The item's one Query (store/items.ts
 *   loadItem) reads the item, its levels and its inbound lines together: available-to-promise by
 *   date needs nothing else.
 * - Every write moves a line row and its level (the door: store/levels.ts inboundLevelUpdate) in one
 *   transaction, with a ledger row per figure changed: create (incoming += q), receive (stocked += q,
 *   incoming −= q; in parts, never past the line's quantity), cancel (incoming −= what was left).
 *   The line row is conditioned on exactly what was read (status open, received_quantity), the level
 *   on its version — a receipt racing a cancel, or two receipts of one line, apply in some order, each
 *   on what the one before left, or are refused and decided again.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { indexName } from '../../lib/table-definition.ts';
import { DomainError, notFound } from '../core/errors.ts';
import type { AdjustmentReason, Level } from '../core/model.ts';
import { MAX_QUANTITY } from '../core/model.ts';
import { db, noteRef, RETRY, tableName, transactOrCancelled, TX_LIMIT, withRetry } from './db.ts';
import type { TxAction } from './db.ts';
import { InboundEntity, InboundLineEntity } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import type { WriteContext } from './ledger.ts';
import type { InboundType } from '../core/schemas-inbound.ts';
import { inboundLevelUpdate, inboundRefusal } from './levels.ts';
import type { InboundMove } from './levels.ts';
import { batchGet, filteredNewestFirst } from './query.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { requireItem } from './items.ts';
import type { ItemRecord } from './items.ts';

export type { InboundType };
export type InboundLineStatus = 'open' | 'received' | 'cancelled';

export interface InboundHeader {
  id: string;
  type: InboundType;
  reference: string;
  warehouse_id: string;
  note: string | null;
  lines: { line: number; sku: string; inventory_item_id: string; quantity: number; expected_at: string }[];
  created_by: string;
  created_at: string;
}

export interface InboundLineRow {
  inbound_id: string;
  line: number;
  type: InboundType;
  reference: string;
  warehouse_id: string;
  sku: string;
  inventory_item_id: string;
  quantity: number;
  received_quantity: number;
  /** What a cancel took off incoming (quantity − received at the time). */
  cancelled_quantity: number;
  status: InboundLineStatus;
  expected_at: string;
  created_at: string;
  updated_at: string;
  /** Units of it promised to future holds (their sum; absent: none), per hold in `promises`, both moved on `pv`. */
  promised?: number;
  promises?: Record<string, number>;
  /** The promises' version: every change of `promises` is conditioned on the one read and moves it by one. */
  pv?: number;
}

/** What a line still brings: its quantity less what was received, while it is open. */
export const remainingOf = (l: Pick<InboundLineRow, 'status' | 'quantity' | 'received_quantity'>) =>
  l.status === 'open' ? l.quantity - l.received_quantity : 0;

/** Units of the line promised to future holds. */
export const promisedOf = (l: Pick<InboundLineRow, 'promised'>) => Number(l.promised ?? 0);
/** What a line still brings that no future hold was promised: what a new promise (and available-to-promise by date) may count. */
export const freeOf = (l: Pick<InboundLineRow, 'status' | 'quantity' | 'received_quantity' | 'promised'>) => Math.max(0, remainingOf(l) - promisedOf(l));
/** Most holds one line is promised to: a receipt turns each into a reservation in its one transaction (2 actions a hold). */
export const MAX_PROMISES_PER_LINE = 20;
/** A line is late once its expected instant passed while it is still open. */
export const isLate = (l: Pick<InboundLineRow, 'status' | 'expected_at'>, now: string) => l.status === 'open' && l.expected_at < now;

/** The label of a line's promise write in a transaction. */
export const promiseLabel = (l: Pick<InboundLineRow, 'inventory_item_id' | 'inbound_id' | 'line'>) =>
  `promise:${l.inventory_item_id}:${l.inbound_id}:${l.line}`;

/** The promise version's guard: exactly the one read (a row written before promises existed has none: 0). */
function pvGuard(l: InboundLineRow, values: Record<string, unknown>): string {
  values[':seen_pv'] = l.pv ?? 0;
  return l.pv ? 'pv = :seen_pv' : '(attribute_not_exists(pv) OR pv = :seen_pv)';
}

/** The line's place in the promised-lines index (store/entities.ts: while it carries promises) as `, SET parts[ REMOVE …]`. */
function promisedIndex(tenant: string, l: InboundLineRow, promised: number, values: Record<string, unknown>): string {
  const e = InboundLineEntity.indexUpdate(tenant, { ...l, promised });
  Object.assign(values, e.values);
  return `${e.parts.map((p) => `, ${p}`).join('')}${e.remove?.length ? ` REMOVE ${e.remove.join(', ')}` : ''}`;
}

/**
 * A line's promises written again whole (the map and its sum) on the promise version read; with
 * `open`, only while the line is still open with the received quantity read (a new promise never
 * counts on units a receipt or a cancel took meanwhile: promised ≤ quantity − received).
 */
export function promiseUpdate(tenant: string, l: InboundLineRow, promises: Record<string, number>, now: string, open: boolean): TxAction {
  const values: Record<string, unknown> = {
    ':m': promises,
    ':p': Object.values(promises).reduce((a, b) => a + b, 0),
    ':pv': (l.pv ?? 0) + 1,
    ':now': now,
  };
  const index = promisedIndex(tenant, l, values[':p'] as number, values);
  let condition = `attribute_exists(PK) AND ${pvGuard(l, values)}`;
  const names: Record<string, string> = {};
  if (open) {
    names['#s'] = 'status';
    values[':open'] = 'open';
    values[':seen_received'] = l.received_quantity;
    condition += ' AND #s = :open AND received_quantity = :seen_received';
  }
  return {
    label: promiseLabel(l),
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.inboundLine(tenant, l.inventory_item_id, l.inbound_id, l.line),
        UpdateExpression: `SET promises = :m, promised = :p, pv = :pv, updated_at = :now${index}`,
        ConditionExpression: condition,
        ...(open ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** The ledger reason of a receipt, by the record's type. */
const RECEIPT_REASON: Record<InboundType, AdjustmentReason> = { purchase_order: 'supplier_receipt', transfer: 'transfer_in', production_run: 'other' };

const lineLabel = (iid: string, line: number) => `line:${iid}:${line}`;
const levelLabelOf = (iid: string) => `level:${iid}`;

/** Lines carrying promises whose expected instant passed by `now` (one Query of the promised-lines index, paged). */
export async function latePromisedLines(tenant: string, now: string): Promise<{ iid: string; id: string; line: number }[]> {
  const out: { iid: string; id: string; line: number }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: indexName('GSI2'),
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :now',
        ExpressionAttributeValues: { ':pk': keys.promisedLinesPartition(tenant), ':now': now },
        ProjectionExpression: 'PK, SK',
        ExclusiveStartKey: start,
      }),
    );
    for (const r of page.Items ?? []) {
      const k = InboundLineEntity.parse({ PK: r.PK, SK: r.SK });
      if (k) out.push({ iid: k.iid, id: k.id, line: k.line });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export async function getInboundHeader(tenant: string, id: string): Promise<InboundHeader | undefined> {
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.inbound(tenant, id), ConsistentRead: true }));
  return res.Item ? strip<InboundHeader>(res.Item) : undefined;
}

/** The header and its lines' rows (consistent BatchGet), in line order. */
export async function readInbound(tenant: string, id: string): Promise<{ header: InboundHeader; lines: InboundLineRow[] } | undefined> {
  const header = await getInboundHeader(tenant, id);
  if (!header) return undefined;
  const rows = await batchGet(header.lines.map((l) => keys.inboundLine(tenant, l.inventory_item_id, id, l.line)));
  const lines = rows.map((r) => strip<InboundLineRow>(r)).sort((a, b) => a.line - b.line);
  return { header, lines };
}

/** A line of the record as one item's Query read it (with its level and the level's version). */
function lineOf(rec: ItemRecord, id: string, line: number): InboundLineRow | undefined {
  return rec.inbound.find((l) => l.inbound_id === id && l.line === line);
}

const levelNotStocked = (sku: string, wid: string) =>
  new DomainError('NOT_FOUND', `SKU ${sku} is not stocked at warehouse ${wid}: create its level first (incoming needs a level)`);
const incomingTooLarge = (wid: string) =>
  new DomainError('INVALID_QUANTITY', `incoming_quantity at ${wid} would pass ${MAX_QUANTITY}`, [{ field: 'lines', message: 'too large' }]);

/**
 * Create the record: the header, a row per line, each level's incoming raised by its lines (one
 * update per level, on its version) and a ledger row per line — one transaction.
 */
export async function createInbound(ctx: WriteContext, h: InboundHeader): Promise<void> {
  const { tenant, now } = ctx;
  noteRef(h.id);
  const iids = [...new Set(h.lines.map((l) => l.inventory_item_id))];
  await withRetry(async () => {
    const recs = new Map(await Promise.all(iids.map(async (iid) => [iid, await requireItem(tenant, iid)] as const)));
    const actions: TxAction[] = [
      { label: 'inbound', item: { Put: { TableName: tableName(), Item: InboundEntity.row(tenant, h), ConditionExpression: 'attribute_not_exists(PK)' } } },
    ];
    const plans: { level: Level; version: number; label: string }[] = [];
    for (const iid of iids) {
      const rec = recs.get(iid)!;
      const level = rec.levels.find((l) => l.location_id === h.warehouse_id);
      const lines = h.lines.filter((l) => l.inventory_item_id === iid);
      if (!level) throw levelNotStocked(lines[0]!.sku, h.warehouse_id);
      const version = rec.levelVersions[h.warehouse_id]!;
      const label = levelLabelOf(iid);
      const move: InboundMove = { incoming: lines.reduce((n, l) => n + l.quantity, 0), stocked: 0, open: lines.length };
      if (level.incoming_quantity + move.incoming > MAX_QUANTITY) throw incomingTooLarge(h.warehouse_id);
      actions.push(inboundLevelUpdate(tenant, level, version, move, now, label));
      plans.push({ level, version, label });
      let incoming = level.incoming_quantity;
      for (const l of lines) {
        const row: InboundLineRow = {
          inbound_id: h.id,
          line: l.line,
          type: h.type,
          reference: h.reference,
          warehouse_id: h.warehouse_id,
          sku: l.sku,
          inventory_item_id: iid,
          quantity: l.quantity,
          received_quantity: 0,
          cancelled_quantity: 0,
          status: 'open',
          expected_at: l.expected_at,
          created_at: now,
          updated_at: now,
        };
        actions.push({
          label: lineLabel(iid, l.line),
          item: { Put: { TableName: tableName(), Item: InboundLineEntity.row(tenant, row), ConditionExpression: 'attribute_not_exists(PK)' } },
        });
        actions.push(
          ledgerPut({
            tenant,
            sku: l.sku,
            inventory_item_id: iid,
            warehouse_id: h.warehouse_id,
            field: 'incoming_quantity',
            before: incoming,
            after: incoming + l.quantity,
            reason: 'other',
            note: `${h.type} ${h.reference} line ${l.line} expected ${l.expected_at}`,
            reference: `inbound:${h.id}:${l.line}`,
            created_by: ctx.by,
            at: now,
          }),
        );
        incoming += l.quantity;
      }
    }
    if (actions.length > TX_LIMIT) throw new DomainError('VALIDATION_ERROR', 'lines: too many for one record', [{ field: 'lines', message: 'too many' }]);
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    if (refused.failed.has('inbound')) throw new DomainError('CONFLICT', `Inbound ${h.id} already exists`);
    for (const p of plans) {
      const why = await inboundRefusal(tenant, refused, p.label, p.level, p.version, () => incomingTooLarge(h.warehouse_id));
      if (why === RETRY) return RETRY;
      if (why) throw why;
    }
    return RETRY;
  });
}

/** A line's answer when it cannot take this step: received in full, cancelled. */
const lineClosed = (l: InboundLineRow) =>
  new DomainError(
    'CONFLICT',
    `Inbound ${l.inbound_id} line ${l.line} is ${l.status}${l.status === 'received' ? ` (all ${l.quantity} received)` : ` (${l.received_quantity} of ${l.quantity} were received before)`}: nothing more can be done with it`,
  );

/** The line's row conditioned on exactly what was read: still open, with the received quantity and the promises seen. */
function lineUpdate(tenant: string, l: InboundLineRow, set: string, values: Record<string, unknown>): TxAction {
  const all: Record<string, unknown> = { ...values, ':open': 'open', ':seen_received': l.received_quantity };
  return {
    label: lineLabel(l.inventory_item_id, l.line),
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.inboundLine(tenant, l.inventory_item_id, l.inbound_id, l.line),
        UpdateExpression: set,
        ConditionExpression: `#s = :open AND received_quantity = :seen_received AND ${pvGuard(l, all)}`,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: all,
      },
    },
  };
}

/**
 * What a receipt does to the future holds promised on its line (core/promises.ts builds it): the
 * holds' and their new reservations' writes, the units turned into reservations and the line's
 * promises after it.
 */
export interface Conversion {
  actions: TxAction[];
  converted: number;
  promises: Record<string, number>;
}

/** The line and its level, read together (the item's one Query). */
async function lineAndLevel(tenant: string, header: InboundHeader, line: number) {
  const spec = header.lines.find((l) => l.line === line);
  if (!spec) throw notFound(`Line of inbound ${header.id}`, String(line));
  const rec = await requireItem(tenant, spec.inventory_item_id);
  const l = lineOf(rec, header.id, line);
  if (!l) throw notFound(`Line of inbound ${header.id}`, String(line));
  const level = rec.levels.find((x) => x.location_id === header.warehouse_id);
  return { rec, l, level, version: rec.levelVersions[header.warehouse_id] };
}

/**
 * Receive `q` of a line (in parts): the line's received += q (closed when it reaches the quantity),
 * the level's stocked += q and incoming −= q, a ledger row for each — one transaction. Never past
 * the line's quantity: the line is conditioned on the received quantity read.
 */
export async function receiveLine(
  ctx: WriteContext,
  header: InboundHeader,
  line: number,
  q: number,
  note: string | null,
  convert?: (l: InboundLineRow, q: number) => Promise<Conversion>,
): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const { rec, l, level, version } = await lineAndLevel(tenant, header, line);
    if (l.status !== 'open') throw lineClosed(l);
    const remaining = remainingOf(l);
    if (q > remaining) {
      throw new DomainError(
        'INVALID_QUANTITY',
        `quantity: ${q} is more than the ${remaining} still expected on line ${line} (${l.received_quantity} of ${l.quantity} received)`,
        [{ field: 'quantity', message: `at most ${remaining}` }],
      );
    }
    if (!level || version === undefined) throw levelNotStocked(l.sku, header.warehouse_id);
    const closes = q === remaining;
    const label = levelLabelOf(l.inventory_item_id);
    // the units promised to future holds become their reservations first (the rest is available)
    const conv: Conversion = promisedOf(l) > 0 && convert ? await convert(l, q) : { actions: [], converted: 0, promises: l.promises ?? {} };
    const promiseValues: Record<string, unknown> = {};
    const promisedAfter = Object.values(conv.promises).reduce((a, b) => a + b, 0);
    const promiseSet = promisedOf(l) > 0 ? `, promises = :m, promised = :pm, pv = :pv${promisedIndex(tenant, l, promisedAfter, promiseValues)}` : '';
    const base = {
      tenant,
      sku: rec.item.sku,
      inventory_item_id: l.inventory_item_id,
      warehouse_id: header.warehouse_id,
      reason: RECEIPT_REASON[header.type],
      note: note ?? `${header.type} ${header.reference} line ${line}: ${q} received`,
      reference: `inbound:${header.id}:${line}`,
      created_by: ctx.by,
      at: now,
    };
    const actions: TxAction[] = [
      lineUpdate(tenant, l, `SET received_quantity = received_quantity + :q, #s = :next, updated_at = :now${promiseSet}`, {
        ':q': q,
        ':next': closes ? 'received' : 'open',
        ':now': now,
        ...(promiseSet ? { ':m': conv.promises, ':pm': promisedAfter, ':pv': (l.pv ?? 0) + 1, ...promiseValues } : {}),
      }),
      inboundLevelUpdate(tenant, level, version, { incoming: -q, stocked: q, open: closes ? -1 : 0, reserved: conv.converted }, now, label),
      ledgerPut({ ...base, field: 'stocked_quantity', before: level.stocked_quantity, after: level.stocked_quantity + q }),
      ledgerPut({ ...base, field: 'incoming_quantity', before: level.incoming_quantity, after: level.incoming_quantity - q }),
      ...conv.actions,
    ];
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const why = await inboundRefusal(
      tenant,
      refused,
      label,
      level,
      version,
      () =>
        new DomainError('INVALID_QUANTITY', `stocked_quantity at ${header.warehouse_id} would pass ${MAX_QUANTITY}`, [
          { field: 'quantity', message: 'too large' },
        ]),
    );
    if (why && why !== RETRY) throw why;
    return RETRY; // the line or the level moved: read again, decide again
  });
}

/** Cancel what is left of a line: the line closed (cancelled), the level's incoming −= what was left, a ledger row — one transaction. */
export async function cancelLine(ctx: WriteContext, header: InboundHeader, line: number, note: string | null): Promise<void> {
  const { tenant, now } = ctx;
  await withRetry(async () => {
    const { rec, l, level, version } = await lineAndLevel(tenant, header, line);
    if (l.status !== 'open') throw lineClosed(l);
    if (!level || version === undefined) throw levelNotStocked(l.sku, header.warehouse_id);
    const left = remainingOf(l);
    const label = levelLabelOf(l.inventory_item_id);
    const actions: TxAction[] = [
      lineUpdate(tenant, l, 'SET #s = :cancelled, cancelled_quantity = :left, updated_at = :now', { ':cancelled': 'cancelled', ':left': left, ':now': now }),
      inboundLevelUpdate(tenant, level, version, { incoming: -left, stocked: 0, open: -1 }, now, label),
      ledgerPut({
        tenant,
        sku: rec.item.sku,
        inventory_item_id: l.inventory_item_id,
        warehouse_id: header.warehouse_id,
        field: 'incoming_quantity',
        before: level.incoming_quantity,
        after: level.incoming_quantity - left,
        reason: 'other',
        note: note ?? `${header.type} ${header.reference} line ${line} cancelled (${left} no longer expected)`,
        reference: `inbound:${header.id}:${line}`,
        created_by: ctx.by,
        at: now,
      }),
    ];
    const refused = await transactOrCancelled(actions);
    if (!refused) return true;
    const why = await inboundRefusal(tenant, refused, label, level, version, () => new DomainError('CONFLICT', 'The level changed; send it again'));
    if (why && why !== RETRY) throw why;
    return RETRY;
  });
}

export interface InboundFilter {
  limit: number;
  cursor?: string;
  status?: 'open' | 'closed';
  warehouse_id?: string;
  sku?: string;
  /** A warehouse-limited key's warehouses: only records at them. */
  warehouse_ids?: string[];
}

/**
 * Inbound records newest first (GSI1: the tenant's records by id — one Query a page, no scan), the
 * warehouse and SKU filters on each header, then the page's lines (one consistent BatchGet) for
 * the status (open while any line is open). At most 5 index pages a request; the cursor resumes.
 */
export async function listInbound(tenant: string, q: InboundFilter): Promise<{ rows: { header: InboundHeader; lines: InboundLineRow[] }[]; next?: string }> {
  const pos = decodeCursor(q.cursor, ['id']);
  const keep = (h: InboundHeader): boolean =>
    (!q.warehouse_id || h.warehouse_id === q.warehouse_id) &&
    (!q.sku || h.lines.some((l) => l.sku === q.sku)) &&
    (!q.warehouse_ids?.length || q.warehouse_ids.includes(h.warehouse_id));
  const start = pos ? { ...keys.inbound(tenant, pos.id), ...keys.inboundIndex(tenant, pos.id) } : undefined;
  const page = await filteredNewestFirst(keys.inboundsPartition(tenant), start, q.limit, async (rows) => {
    const headers = rows.map((r) => strip<InboundHeader>(r)).filter(keep);
    const lineRows = headers.length
      ? (await batchGet(headers.flatMap((h) => h.lines.map((l) => keys.inboundLine(tenant, l.inventory_item_id, h.id, l.line))))).map((r) =>
          strip<InboundLineRow>(r),
        )
      : [];
    const kept: { header: InboundHeader; lines: InboundLineRow[] }[] = [];
    for (const h of headers) {
      const lines = lineRows.filter((l) => l.inbound_id === h.id).sort((a, b) => a.line - b.line);
      const status = lines.some((l) => l.status === 'open') ? 'open' : 'closed';
      if (!q.status || q.status === status) kept.push({ header: h, lines });
    }
    return kept;
  });
  return page.after === undefined ? { rows: page.rows } : { rows: page.rows, next: encodeCursor({ id: page.after }) };
}

/**
 * A line's expected instant changed: the line row (still open, on the promise version read, so a
 * hold promised meanwhile is re-planned on what it sees) and its place in the promised-lines index.
 * Nothing else moves: incoming counts the line whatever its date. False when refused (read again).
 */
export async function changeExpected(ctx: WriteContext, l: InboundLineRow, expectedAt: string): Promise<boolean> {
  const values: Record<string, unknown> = { ':e': expectedAt, ':now': ctx.now, ':open': 'open', ':seen_received': l.received_quantity };
  const e = InboundLineEntity.indexUpdate(ctx.tenant, { ...l, promised: promisedOf(l), expected_at: expectedAt });
  Object.assign(values, e.values);
  const set = `SET expected_at = :e, updated_at = :now${e.parts.map((p) => `, ${p}`).join('')}${e.remove?.length ? ` REMOVE ${e.remove.join(', ')}` : ''}`;
  const refused = await transactOrCancelled([
    {
      label: lineLabel(l.inventory_item_id, l.line),
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.inboundLine(ctx.tenant, l.inventory_item_id, l.inbound_id, l.line),
          UpdateExpression: set,
          ConditionExpression: `#s = :open AND received_quantity = :seen_received AND ${pvGuard(l, values)}`,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        },
      },
    },
  ]);
  return !refused;
}
