/**
 * Multi-line holds: an order's lines (skus or kits) allocated across warehouses, all or nothing,
 * each allocation a normal reservation (line_item_id `<reference>:<line index>`, expiring with the
 * hold) so /admin/reservations and the expiry sweeper see them.
 */
import { DomainError, notFound, validation } from './errors.ts';
import type { ErrorDetail } from './errors.ts';
import { newId } from './ids.ts';
import { availabilityFloor, MAX_QUANTITY } from './model.ts';
import type { Actor, Reservation } from './model.ts';
import { mayWrite, restricted, sees } from './access.ts';
import { writeContext } from './items.ts';
import { plan } from './allocation.ts';
import type { PlanLine, PlannedAllocation, Strategy } from './allocation.ts';
import { DEFAULT_HOLD_SECONDS, MAX_DUE_DAYS, MAX_HOLD_LINES } from './schemas-holds.ts';
import { byInstant } from './inbound.ts';
import { freeOf, isLate, MAX_PROMISES_PER_LINE } from '../store/inbound.ts';
import type { InboundLineRow } from '../store/inbound.ts';
import type { HoldCreateInput } from './schemas-holds.ts';
import { RETRY, withRetry } from './retry.ts';
import { itemIdsBySku } from '../store/rows.ts';
import { loadItem } from '../store/items.ts';
import type { ItemRecord } from '../store/items.ts';
import { loadVariant } from '../store/links.ts';
import { listWarehouseSummaries } from '../store/locations.ts';
import type { WarehouseSummary } from '../store/locations.ts';
import * as store from '../store/holds.ts';
import type { Consumption, Hold, HoldLine, HoldPromise } from '../store/holds.ts';

export type HoldView = Omit<Hold, 'status'> & { status: Hold['status'] | 'expired' };

const holdNotFound = (hid: string) => notFound('Hold', hid);
export const holdExpired = (h: Hold) => new DomainError('HOLD_EXPIRED', `Hold ${h.id} expired at ${h.expires_at}: it can no longer be fulfilled or extended`);

/** An active hold past its expiry reads as expired (the sweeper releases its reservations). */
export function view(h: Hold, now = new Date().toISOString()): HoldView {
  return { ...h, status: h.status === 'active' && h.expires_at <= now ? 'expired' : h.status };
}

const lineLabel = (l: { sku?: string; variant?: { product_id: string; variant_id: string } }) =>
  l.sku !== undefined ? `sku ${l.sku}` : `variant ${l.variant!.product_id}/${l.variant!.variant_id}`;

/** Lines → their components (a kit's items × required_quantity). Unknown skus / variants are 404 naming the line. */
async function resolveLines(actor: Actor, lines: HoldCreateInput['lines']): Promise<HoldLine[]> {
  const skus = [...new Set(lines.flatMap((l) => (l.sku !== undefined ? [l.sku] : [])))];
  const iidOf = skus.length ? (await itemIdsBySku(actor.tenant, skus)).ids : new Map<string, string | null>();
  const variantIds = [...new Set(lines.flatMap((l) => (l.variant ? [l.variant.variant_id] : [])))];
  const variants = new Map(await Promise.all(variantIds.map(async (vid) => [vid, await loadVariant(actor.tenant, vid)] as const)));
  return lines.map((l, index): HoldLine => {
    let components: HoldLine['components'];
    if (l.sku !== undefined) {
      const iid = iidOf.get(l.sku);
      if (!iid)
        throw new DomainError('INVENTORY_NOT_FOUND', `lines.${index}.sku: SKU ${l.sku} has no inventory record`, [
          { field: `lines.${index}.sku`, message: 'unknown sku' },
        ]);
      components = [{ inventory_item_id: iid, sku: l.sku, required_quantity: 1 }];
    } else {
      const v = variants.get(l.variant!.variant_id);
      if (!v || v.product_id !== l.variant!.product_id) {
        throw new DomainError(
          'NOT_FOUND',
          `lines.${index}.variant: variant ${l.variant!.variant_id} of product ${l.variant!.product_id} has no inventory items`,
          [{ field: `lines.${index}.variant`, message: 'unknown variant' }],
        );
      }
      components = v.links.map((k) => ({ inventory_item_id: k.inventory_item_id, sku: null, required_quantity: k.required_quantity }));
    }
    return {
      index,
      ...(l.sku !== undefined ? { sku: l.sku } : { variant: { product_id: l.variant!.product_id, variant_id: l.variant!.variant_id } }),
      quantity: l.quantity,
      fulfilled_quantity: 0,
      warehouse_id: l.warehouse_id ?? null,
      components,
      allocations: [],
    };
  });
}

/** Active warehouses the request and the key allow (read-only ones included: reserving there is allowed). */
function eligibleWarehouses(actor: Actor, all: WarehouseSummary[], input: Pick<HoldCreateInput, 'warehouse_ids' | 'lines'>): WarehouseSummary[] {
  const byId = new Map(all.map((w) => [w.id, w]));
  for (const [i, wid] of (input.warehouse_ids ?? []).entries()) {
    if (!byId.has(wid))
      throw new DomainError('WAREHOUSE_NOT_FOUND', `warehouse_ids.${i}: warehouse ${wid} does not exist`, [
        { field: `warehouse_ids.${i}`, message: 'unknown warehouse' },
      ]);
    mayWrite(actor, wid);
  }
  for (const [i, l] of input.lines.entries()) {
    if (!l.warehouse_id) continue;
    if (!byId.has(l.warehouse_id)) {
      throw new DomainError('WAREHOUSE_NOT_FOUND', `lines.${i}.warehouse_id: warehouse ${l.warehouse_id} does not exist`, [
        { field: `lines.${i}.warehouse_id`, message: 'unknown warehouse' },
      ]);
    }
    mayWrite(actor, l.warehouse_id);
    if (input.warehouse_ids && !input.warehouse_ids.includes(l.warehouse_id)) throw validation(`lines.${i}.warehouse_id`, 'is not one of warehouse_ids');
  }
  return all.filter((w) => w.is_active && (!input.warehouse_ids || input.warehouse_ids.includes(w.id)) && sees(actor, w.id));
}

/** allocatable[iid][wid] at eligible warehouses: available down to the item's floor (Infinity: unbounded backorders). */
function allocatableOf(recs: Map<string, ItemRecord>, eligible: Set<string>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [iid, rec] of recs) {
    const floor = availabilityFloor(rec.item);
    out[iid] = {};
    for (const l of rec.levels)
      if (eligible.has(l.location_id)) out[iid][l.location_id] = floor === null ? Infinity : Math.max(0, l.available_quantity - floor);
  }
  return out;
}

const finite = (n: number) => (Number.isFinite(n) ? n : null);

/**
 * The open inbound lines a future hold may be promised from, per item and warehouse, earliest
 * first: at an eligible warehouse, expected by `due` and not late at `now`, with units no other
 * hold was promised, and room for one more hold's promise (MAX_PROMISES_PER_LINE).
 */
export function futureLines(recs: Map<string, ItemRecord>, eligible: Set<string>, due: string, now: string): Map<string, InboundLineRow[]> {
  const out = new Map<string, InboundLineRow[]>();
  for (const [iid, rec] of recs) {
    for (const l of rec.inbound) {
      if (!eligible.has(l.warehouse_id) || l.status !== 'open' || isLate(l, now) || l.expected_at > due || freeOf(l) <= 0) continue;
      if (Object.keys(l.promises ?? {}).length >= MAX_PROMISES_PER_LINE) continue;
      if (!rec.levels.some((v) => v.location_id === l.warehouse_id)) continue;
      const k = `${iid}:${l.warehouse_id}`;
      out.set(k, [...(out.get(k) ?? []), l]);
    }
  }
  for (const ls of out.values()) ls.sort((a, b) => a.expected_at.localeCompare(b.expected_at) || a.inbound_id.localeCompare(b.inbound_id) || a.line - b.line);
  return out;
}

/** allocatable now plus what the future lines bring (per item and warehouse). */
function withFuture(allocatable: Record<string, Record<string, number>>, future: Map<string, InboundLineRow[]>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = Object.fromEntries(Object.entries(allocatable).map(([iid, w]) => [iid, { ...w }]));
  for (const [k, ls] of future) {
    const [iid, wid] = k.split(':') as [string, string];
    out[iid] ??= {};
    out[iid][wid] = (out[iid][wid] ?? 0) + ls.reduce((n, l) => n + freeOf(l), 0);
  }
  return out;
}

/** A hold's due date checked and as an instant (a day: its end). 422 naming the field. */
function dueOf(input: Pick<HoldCreateInput, 'allow_future' | 'due_at'>, now: number): string | undefined {
  if (!input.allow_future) {
    if (input.due_at !== undefined) throw validation('due_at', 'only with allow_future: true');
    return undefined;
  }
  if (input.due_at === undefined) throw validation('due_at', 'required with allow_future: true (the date the order must be ready by)');
  const due = byInstant(input.due_at);
  if (Date.parse(due) <= now) throw validation('due_at', 'must be in the future');
  if (Date.parse(due) > now + MAX_DUE_DAYS * 86_400_000) throw validation('due_at', `at most ${MAX_DUE_DAYS} days ahead`);
  return due;
}

function insufficient(
  lines: HoldLine[],
  shortfalls: { index: number; requested: number; allocatable: number; reason: string }[],
  demand: Record<string, number>,
  recs: Map<string, ItemRecord>,
  eligible: WarehouseSummary[],
  allocatable: Record<string, Record<string, number>>,
): DomainError {
  const details: ErrorDetail[] = [];
  const extraLines = shortfalls.map((s) => {
    const line = lines[s.index];
    const msg =
      s.reason === 'no_single_warehouse'
        ? `requested ${s.requested}, no single warehouse holds it (allow_split is false); at most ${s.allocatable} from one`
        : `requested ${s.requested}, allocatable ${s.allocatable}`;
    details.push({ field: `lines.${s.index}`, message: `${lineLabel(line)}: ${msg}` });
    return {
      index: s.index,
      ...(line.sku !== undefined ? { sku: line.sku } : { variant: line.variant }),
      requested: s.requested,
      allocatable: s.allocatable,
      reason: s.reason,
      warehouses: line.components.flatMap((c) =>
        eligible
          .filter((w) => !line.warehouse_id || w.id === line.warehouse_id)
          .map((w) => {
            const lvl = recs.get(c.inventory_item_id)?.levels.find((l) => l.location_id === w.id);
            return {
              warehouse_id: w.id,
              priority: w.priority,
              inventory_item_id: c.inventory_item_id,
              required_quantity: c.required_quantity,
              stocked: lvl?.stocked_quantity ?? 0,
              reserved: lvl?.reserved_quantity ?? 0,
              available: lvl?.available_quantity ?? 0,
              allocatable: lvl ? finite(allocatable[c.inventory_item_id]?.[w.id] ?? 0) : 0,
            };
          }),
      ),
    };
  });
  const items = Object.entries(demand).map(([iid, d]) => ({
    inventory_item_id: iid,
    sku: recs.get(iid)?.item.sku ?? null,
    demand: d,
    allocatable: finite(Object.values(allocatable[iid] ?? {}).reduce((a, b) => a + b, 0)),
  }));
  return new DomainError('INSUFFICIENT_STOCK', `Not enough stock for the hold: ${details.map((d) => `${d.field} (${d.message})`).join('; ')}`, details, {
    lines: extraLines,
    items,
  });
}

/** One limit for a hold's size, one answer (also for more lines than any transaction could hold). */
const tooLarge = (message: string, detail: string) =>
  new DomainError('HOLD_TOO_LARGE', `${message} Split the order into smaller holds.`, [{ field: 'lines', message: detail }]);

/**
 * Every unit figure of the hold within MAX_QUANTITY, before anything is planned or written: each
 * line's units of each item (quantity × required_quantity: a kit multiplies) and the hold's units of
 * one item over all its lines. With unbounded backorders no stock check stops a figure past it
 * (and past 2⁵³ a stored figure can no longer be read back). 422 naming the line that passes it.
 */
function checkUnits(lines: HoldLine[]): void {
  const total = new Map<string, number>();
  for (const l of lines) {
    const field = `lines.${l.index}.quantity`;
    for (const c of l.components) {
      const units = l.quantity * c.required_quantity;
      if (units > MAX_QUANTITY) {
        const most = Math.floor(MAX_QUANTITY / c.required_quantity);
        throw new DomainError(
          'INVALID_QUANTITY',
          `${field}: ${l.quantity} × required_quantity ${c.required_quantity} of item ${c.inventory_item_id} is ${units} units, more than ${MAX_QUANTITY}`,
          [{ field, message: `at most ${most} (${c.required_quantity} units of item ${c.inventory_item_id} each)` }],
        );
      }
      const sum = (total.get(c.inventory_item_id) ?? 0) + units;
      if (sum > MAX_QUANTITY) {
        throw new DomainError(
          'INVALID_QUANTITY',
          `${field}: the hold's lines up to this one need ${sum} units of item ${c.inventory_item_id}, more than ${MAX_QUANTITY}`,
          [{ field, message: `the hold needs more than ${MAX_QUANTITY} units of item ${c.inventory_item_id}` }],
        );
      }
      total.set(c.inventory_item_id, sum);
    }
  }
}

export async function createHold(actor: Actor, input: HoldCreateInput): Promise<HoldView> {
  const deadline = Date.now() + Number(process.env.INVENTORY_HOLD_BUDGET_MS ?? CREATE_BUDGET_MS);
  const strategy: Strategy = input.strategy ?? 'fewest_warehouses';
  const allowSplit = input.allow_split ?? true;
  if (input.lines.length > MAX_HOLD_LINES) {
    throw tooLarge(
      `A hold has at most ${MAX_HOLD_LINES} lines (this one ${input.lines.length}): its reservations are written in one transaction.`,
      `${input.lines.length} lines, at most ${MAX_HOLD_LINES}`,
    );
  }
  const lines = await resolveLines(actor, input.lines);
  checkUnits(lines);
  const eligible = eligibleWarehouses(actor, await listWarehouseSummaries(actor.tenant), input);
  const eligibleIds = new Set(eligible.map((w) => w.id));
  const iids = [...new Set(lines.flatMap((l) => l.components.map((c) => c.inventory_item_id)))];
  const hid = newId('hold');
  const due = dueOf(input, Date.now());
  // a future hold lives until its due date and expires_in_seconds after it
  const expiresAt = new Date(Math.max(Date.now(), due ? Date.parse(due) : 0) + (input.expires_in_seconds ?? DEFAULT_HOLD_SECONDS) * 1000).toISOString();

  // Plan, then write the plan in one transaction whose conditions re-check every level. A race
  // re-plans (bounded): a failed level condition returns the level as it was (ALL_OLD), which
  // replaces our view of it without a re-read; a changed policy or a gone level is re-read; a plain
  // contention retries the same plan after a jittered pause. A refusal is always confirmed on a
  // fresh read, so a 409 never rests on a stale view.
  const recs = new Map<string, ItemRecord>();
  const read = async (ids: string[]) => {
    for (const [i, rec] of (await Promise.all(ids.map((iid) => loadItem(actor.tenant, iid)))).entries()) {
      if (!rec) throw notFound('Inventory item', ids[i], 'INVENTORY_NOT_FOUND');
      recs.set(ids[i], rec);
    }
  };
  await read(iids);
  let patched = false;
  for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS && Date.now() < deadline; attempt++) {
    const now = new Date().toISOString();
    const onHand = allocatableOf(recs, eligibleIds);
    const planLines: PlanLine[] = lines.map((l) => ({ index: l.index, quantity: l.quantity, components: l.components, warehouse_id: l.warehouse_id }));
    const whs = eligible.map((w) => ({ id: w.id, priority: w.priority }));
    let allocatable = onHand;
    let p = plan({ lines: planLines, warehouses: whs, allocatable, strategy, allowSplit });
    // allow_future: only when what is on hand cannot cover the order, inbound expected by the due date may
    const future = !p.ok && due ? futureLines(recs, eligibleIds, due, now) : undefined;
    if (future?.size) {
      allocatable = withFuture(onHand, future);
      p = plan({ lines: planLines, warehouses: whs, allocatable, strategy, allowSplit });
    }
    if (!p.ok) {
      if (patched) {
        await read(iids);
        patched = false;
        continue;
      }
      throw insufficient(lines, p.shortfalls, p.demand, recs, eligible, allocatable);
    }
    // each planned allocation takes what is on hand first, the rest from its level's inbound lines, earliest first
    const left = Object.fromEntries(Object.entries(onHand).map(([iid, w]) => [iid, { ...w }]));
    const free = new Map<InboundLineRow, number>([...(future?.values() ?? [])].flat().map((l) => [l, freeOf(l)]));
    const split = (a: PlannedAllocation): { now: number; promises: HoldPromise[] } => {
      const have = left[a.inventory_item_id]?.[a.warehouse_id] ?? 0;
      const fromHand = Math.min(a.quantity, have);
      if (left[a.inventory_item_id]) left[a.inventory_item_id][a.warehouse_id] = have - fromHand;
      let rest = a.quantity - fromHand;
      const promises: HoldPromise[] = [];
      for (const l of future?.get(`${a.inventory_item_id}:${a.warehouse_id}`) ?? []) {
        if (rest <= 0) break;
        const take = Math.min(rest, free.get(l) ?? 0);
        if (take <= 0) continue;
        free.set(l, (free.get(l) ?? 0) - take);
        rest -= take;
        promises.push({
          inbound_id: l.inbound_id,
          line: l.line,
          reference: l.reference,
          warehouse_id: l.warehouse_id,
          inventory_item_id: l.inventory_item_id,
          quantity: take,
          expected_at: l.expected_at,
        });
      }
      return { now: fromHand, promises };
    };
    const all: PlannedAllocation[] = p.lines.flatMap((l) => l.allocations);
    const size = store.holdSize(all);
    if (size.needed > size.most) {
      throw tooLarge(
        `This hold needs ${size.needed} writes in one transaction; at most ${size.most} fit (one more is kept for the request's idempotency claim).`,
        `needs ${size.needed} transaction actions, at most ${size.most}`,
      );
    }
    const reservations: Reservation[] = [];
    const h: Hold = {
      id: hid,
      reference: input.reference,
      status: 'active',
      strategy,
      allow_split: allowSplit,
      expires_at: expiresAt,
      ...(due ? { allow_future: true, due_at: due, release_reason: null } : {}),
      lines: lines.map((l) => {
        const parts = p.lines[l.index].allocations.map((a) => ({ a, ...split(a) }));
        const promises = parts.flatMap((x) => x.promises);
        return {
          ...l,
          components: l.components.map((c) => ({ ...c, sku: recs.get(c.inventory_item_id)!.item.sku })),
          ...(due ? { promises } : {}),
          allocations: parts
            .filter((x) => x.now > 0)
            .map(({ a, now: onHandUnits }) => {
              const r: Reservation = {
                id: newId('res'),
                inventory_item_id: a.inventory_item_id,
                location_id: a.warehouse_id,
                quantity: onHandUnits,
                line_item_id: `${input.reference}:${l.index}`,
                description: `hold ${hid}`,
                metadata: { hold_id: hid },
                expires_at: expiresAt,
                created_by: actor.keyName,
                created_at: now,
                updated_at: now,
              };
              reservations.push(r);
              return {
                warehouse_id: a.warehouse_id,
                inventory_item_id: a.inventory_item_id,
                quantity: onHandUnits,
                fulfilled_quantity: 0,
                reservation_id: r.id,
              };
            }),
        };
      }),
      created_by: actor.keyName,
      created_at: now,
      updated_at: now,
    };
    const perItem = iids
      .map((iid) => ({
        rec: recs.get(iid)!,
        reservations: reservations.filter((r) => r.inventory_item_id === iid),
        floor: availabilityFloor(recs.get(iid)!.item),
      }))
      .filter((p) => p.reservations.length);
    const refused = await store.putHold(
      actor.tenant,
      h,
      perItem,
      now,
      [...recs.values()].flatMap((r) => r.inbound),
    );
    if (!refused) return view(h);
    for (const { iid, level, version } of refused.patched) {
      // too little at a level: plan again from the figures the refused write saw
      const rec = recs.get(iid)!;
      rec.levels = rec.levels.map((l) => (l.location_id === level.location_id ? level : l));
      rec.levelVersions[level.location_id] = version;
      patched = true;
    }
    if (refused.reread.size) await read([...refused.reread]);
    else if (refused.contention) await sleep(Math.random() * Math.min(250, 10 * 2 ** attempt));
  }
  // out of time or attempts: if a fresh read shows the order cannot be covered, that is the answer
  await read(iids);
  const allocatable = allocatableOf(recs, eligibleIds);
  const p = plan({ lines, warehouses: eligible.map((w) => ({ id: w.id, priority: w.priority })), allocatable, strategy, allowSplit });
  if (!p.ok) throw insufficient(lines, p.shortfalls, p.demand, recs, eligible, allocatable);
  throw new DomainError('CONFLICT', 'The stock of this hold is changing too fast right now: retry the request');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A create re-plans at most this often, and within this time: well inside the deployed function's
 * 10 s timeout (INVENTORY_HOLD_BUDGET_MS overrides it, e.g. for a slow local DynamoDB).
 */
const MAX_CREATE_ATTEMPTS = 60;
const CREATE_BUDGET_MS = 8_000;

async function readHold(actor: Actor, hid: string) {
  const s = await store.getHold(actor.tenant, hid);
  if (!s) throw holdNotFound(hid);
  // a warehouse-limited key sees a hold only if every allocation is in its warehouses
  if (restricted(actor) && s.hold.lines.some((l) => l.allocations.some((a) => !sees(actor, a.warehouse_id)))) throw holdNotFound(hid);
  return s;
}

export async function getHold(actor: Actor, hid: string): Promise<HoldView> {
  return view((await readHold(actor, hid)).hold);
}

export async function listHolds(actor: Actor, reference: string): Promise<HoldView[]> {
  const all = await store.holdsByReference(actor.tenant, reference);
  return all.filter((h) => !restricted(actor) || h.lines.every((l) => l.allocations.every((a) => sees(actor, a.warehouse_id)))).map((h) => view(h));
}

function mustBeLive(h: Hold, now: string): void {
  if (h.status === 'released') throw new DomainError('CONFLICT', `Hold ${h.id} was released`);
  if (h.status === 'fulfilled') throw new DomainError('CONFLICT', `Hold ${h.id} is already fulfilled`);
  if (h.expires_at <= now) throw holdExpired(h);
}

const touched = (h: Hold) => [...new Set(h.lines.flatMap((l) => l.allocations.map((a) => a.warehouse_id)))];

export async function extendHold(actor: Actor, hid: string, seconds: number): Promise<HoldView> {
  return withRetry(async () => {
    const { hold, version } = await readHold(actor, hid);
    mayWrite(actor, ...touched(hold));
    const now = new Date().toISOString();
    mustBeLive(hold, now);
    const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
    // refused: re-read (expired: 410, released, or changed meanwhile)
    if (!(await store.extendHold(actor.tenant, hold, version, expiresAt, now))) return RETRY;
    return view({ ...hold, expires_at: expiresAt, updated_at: now });
  });
}

/** Which allocations `lines` consume (each line's components in proportion), and the hold after it. */
export function consumption(h: Hold, request?: { index: number; quantity: number }[]): { consumed: Consumption[]; lines: HoldLine[]; status: Hold['status'] } {
  const wanted = new Map<number, number>();
  if (request) {
    for (const [i, r] of request.entries()) {
      const line = h.lines[r.index];
      if (!line) throw validation(`lines.${i}.index`, `the hold has no line ${r.index}`);
      if (wanted.has(r.index)) throw validation(`lines.${i}.index`, `line ${r.index} is given twice`);
      const left = line.quantity - line.fulfilled_quantity;
      if (r.quantity > left) {
        throw new DomainError('INVALID_QUANTITY', `lines.${i}.quantity: line ${r.index} has ${left} left to fulfil`, [
          { field: `lines.${i}.quantity`, message: `at most ${left}` },
        ]);
      }
      wanted.set(r.index, r.quantity);
    }
  } else {
    for (const l of h.lines) if (l.quantity > l.fulfilled_quantity) wanted.set(l.index, l.quantity - l.fulfilled_quantity);
  }
  if (![...wanted.values()].some((q) => q > 0)) throw new DomainError('CONFLICT', `Hold ${h.id} has nothing left to fulfil`);
  const consumed: Consumption[] = [];
  const lines = h.lines.map((l) => {
    const units = wanted.get(l.index) ?? 0;
    if (!units) return l;
    const allocations = l.allocations.map((a) => ({ ...a }));
    for (const c of l.components) {
      let need = units * c.required_quantity;
      for (const a of allocations.filter((x) => x.inventory_item_id === c.inventory_item_id)) {
        const take = Math.min(need, a.quantity - a.fulfilled_quantity);
        if (take <= 0) continue;
        consumed.push({ allocation: { ...a }, take });
        a.fulfilled_quantity += take;
        need -= take;
      }
      if (need > 0) {
        // the rest is promised from inbound not received yet
        const p = (l.promises ?? []).find((x) => x.inventory_item_id === c.inventory_item_id);
        throw new DomainError(
          'CONFLICT',
          `Line ${l.index} of hold ${h.id}: ${need} unit(s) are promised from inbound${p ? ` ${p.reference} line ${p.line} (expected ${p.expected_at})` : ''} and not received yet; fulfil what is on hand (lines[].quantity) or wait for the receipt`,
        );
      }
    }
    return { ...l, fulfilled_quantity: l.fulfilled_quantity + units, allocations };
  });
  const status = lines.every((l) => l.fulfilled_quantity === l.quantity) ? 'fulfilled' : 'active';
  return { consumed, lines, status };
}

export async function fulfillHold(actor: Actor, hid: string, request?: { index: number; quantity: number }[]): Promise<HoldView> {
  return withRetry(async () => {
    const { hold, version } = await readHold(actor, hid);
    mayWrite(actor, ...touched(hold));
    const ctx = writeContext(actor);
    mustBeLive(hold, ctx.now);
    const next = consumption(hold, request);
    const iids = [...new Set(next.consumed.map((c) => c.allocation.inventory_item_id))];
    const recs = new Map<string, ItemRecord>();
    for (const [i, rec] of (await Promise.all(iids.map((iid) => loadItem(actor.tenant, iid)))).entries()) {
      if (!rec) return RETRY;
      recs.set(iids[i], rec);
    }
    if (next.consumed.some((c) => !recs.get(c.allocation.inventory_item_id)!.levels.some((l) => l.location_id === c.allocation.warehouse_id))) return RETRY;
    // refused: the hold or a level moved (or expired: the re-read answers 410)
    if (!(await store.fulfilHold(ctx, hold, version, next, next.consumed, recs))) return RETRY;
    return view({ ...hold, lines: next.lines, status: next.status, updated_at: ctx.now }, ctx.now);
  });
}

export async function releaseHold(actor: Actor, hid: string): Promise<HoldView> {
  return withRetry(async () => {
    const { hold, version } = await readHold(actor, hid);
    mayWrite(actor, ...touched(hold));
    if (hold.status !== 'active') throw new DomainError('CONFLICT', `Hold ${hid} is already ${hold.status}`);
    const now = new Date().toISOString();
    const open = await store.openReservations(actor.tenant, hold);
    if (!(await store.releaseHold(actor.tenant, hold, version, open, now))) return RETRY;
    return view({ ...hold, status: 'released', updated_at: now }, now);
  });
}
