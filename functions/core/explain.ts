/**
 * Availability that explains itself: can this quantity of a SKU (or a variant, a kit of items ×
 * required_quantity) be held now, and why — per warehouse stocked, reserved, safety stock, whether
 * it is eligible (active, in warehouse_ids), read-only, the item's backorder policy and what it
 * allows; for a variant, which component limits it. Same numbers the hold planner uses.
 */
import { notFound } from './errors.ts';
import { availabilityFloor, MAX_QUANTITY, STOCK_STATES, stateField } from './model.ts';
import type { Actor, Warehouse } from './model.ts';
import { sees } from './access.ts';
import { itemIdBySku, loadItem } from '../store/items.ts';
import type { ItemRecord } from '../store/items.ts';
import { loadVariant } from '../store/links.ts';
import { listWarehouses } from '../store/locations.ts';
import { freeOf, promisedOf, remainingOf } from '../store/inbound.ts';
import { byInstant } from './inbound.ts';

interface Query {
  quantity: number;
  warehouse_ids?: string[];
  /** Available-to-promise by this date (a day: by its end); none: now. */
  date?: string;
}

/** The open inbound lines of a level that count by `by` (ms), with what each still brings. */
function inboundBy(rec: ItemRecord, wid: string, by: number, now: number) {
  return rec.inbound
    .filter((l) => l.warehouse_id === wid && remainingOf(l) > 0 && Date.parse(l.expected_at) <= by)
    .sort((a, b) => a.expected_at.localeCompare(b.expected_at) || a.inbound_id.localeCompare(b.inbound_id) || a.line - b.line)
    .map((l) => ({
      inbound_id: l.inbound_id,
      line: l.line,
      type: l.type,
      reference: l.reference,
      expected_at: l.expected_at,
      remaining_quantity: remainingOf(l),
      promised_quantity: promisedOf(l),
      free_quantity: freeOf(l),
      late: Date.parse(l.expected_at) < now,
    }));
}

function explainItem(actor: Actor, rec: ItemRecord, required: number, q: Query, warehouses: Map<string, Warehouse>) {
  // available-to-promise by a date: available now (the level's own figure: on hand − reserved −
  // safety stock, as every write keeps it) + what open inbound lines bring by then
  const by = q.date === undefined ? undefined : Date.parse(byInstant(q.date));
  const now = Date.now();
  const floor = availabilityFloor(rec.item);
  const policy = !rec.item.allow_backorder
    ? 'no backorders: available may not go below 0'
    : floor === null
      ? 'backorders without limit'
      : `backorders down to ${floor}`;
  let total: number | null = 0;
  const rows = rec.levels
    .filter((l) => sees(actor, l.location_id))
    .map((l) => {
      const w = warehouses.get(l.location_id);
      const active = w?.is_active ?? false;
      const listed = !q.warehouse_ids || q.warehouse_ids.includes(l.location_id);
      const eligible = active && listed;
      const lines = by === undefined ? undefined : inboundBy(rec, l.location_id, by, now);
      // what future holds were promised of a line is theirs: only the rest counts
      const incoming = lines?.reduce((n, x) => n + x.free_quantity, 0) ?? 0;
      const allocatable = !eligible ? 0 : floor === null ? null : Math.max(0, l.available_quantity + incoming - floor);
      if (allocatable === null) total = null;
      else if (total !== null) total += allocatable;
      const states = STOCK_STATES.filter((st) => Number(l[stateField(st)] ?? 0) > 0).map((st) => ` − ${st.replace('_', ' ')} ${l[stateField(st)]}`);
      const formula = `available ${l.available_quantity} = stocked ${l.stocked_quantity} − reserved ${l.reserved_quantity} − safety stock ${l.safety_stock}${states.join('')}`;
      const why = !active
        ? 'inactive warehouse: not eligible'
        : !listed
          ? 'not in warehouse_ids'
          : `${formula}; ${policy}${w?.is_readonly ? '; read-only (reservations allowed, stock changes are not)' : ''}${
              lines
                ? lines.length
                  ? `; by ${q.date}: + ${incoming} inbound (${lines.map((x) => `${x.reference} line ${x.line}: ${x.free_quantity} expected ${x.expected_at}${x.promised_quantity ? ` (${x.remaining_quantity} less ${x.promised_quantity} promised to future holds)` : ''}${x.late ? ', late' : ''}`).join('; ')})`
                  : `; by ${q.date}: no inbound expected`
                : ''
            }`;
      return {
        warehouse_id: l.location_id,
        name: w?.name ?? null,
        priority: w?.priority ?? 0,
        stocked: l.stocked_quantity,
        reserved: l.reserved_quantity,
        safety_stock: l.safety_stock,
        available: l.available_quantity,
        is_active: active,
        is_readonly: w?.is_readonly ?? false,
        eligible,
        allocatable,
        ...(lines ? { incoming_by_date: incoming, inbound: lines } : {}),
        why,
      };
    })
    .sort((a, b) => b.priority - a.priority || a.warehouse_id.localeCompare(b.warehouse_id));
  const units = total === null ? null : Math.floor(total / required);
  return {
    inventory_item_id: rec.item.id,
    sku: rec.item.sku,
    required_quantity: required,
    needed: q.quantity * required,
    allow_backorder: rec.item.allow_backorder,
    backorder_limit: rec.item.backorder_limit,
    allocatable: total as number | null,
    units,
    limiting: false,
    warehouses: rows,
  };
}

function verdict(parts: ReturnType<typeof explainItem>[], q: Query) {
  const when = q.date === undefined ? 'held now' : `promised by ${q.date} (on hand now + inbound expected by then)`;
  const bounded = parts.filter((p) => p.units !== null);
  const min = bounded.length ? Math.min(...bounded.map((p) => p.units!)) : null;
  for (const p of parts) p.limiting = min !== null && p.units === min && parts.length > 0;
  // as a hold checks it (core/holds.ts): no line needs more than MAX_QUANTITY units of an item
  const over = parts.find((p) => p.needed > MAX_QUANTITY);
  const can = !over && (min === null || min >= q.quantity);
  const lim = parts.find((p) => p.limiting);
  const reason = over
    ? `${q.quantity} cannot be held: that is ${over.needed} units of ${over.sku ?? over.inventory_item_id}, more than ${MAX_QUANTITY} (a hold of it answers 422 INVALID_QUANTITY)`
    : can
      ? `${q.quantity} can be ${when}${min === null ? ' (backorders without limit)' : `; up to ${min}`}`
      : parts.length > 1
        ? `only ${min} can be ${when}: limited by ${lim!.sku ?? lim!.inventory_item_id} (needs ${lim!.required_quantity} per unit, ${lim!.allocatable} allocatable)`
        : `only ${min} can be ${when}: ${lim!.allocatable} allocatable over the eligible warehouses`;
  return { ...(q.date === undefined ? {} : { date: byInstant(q.date) }), can_hold: can, allocatable: min, reason };
}

export async function explainSku(actor: Actor, sku: string, q: Query) {
  const iid = await itemIdBySku(actor.tenant, sku);
  const rec = iid ? await loadItem(actor.tenant, iid) : undefined;
  if (!rec) throw notFound('Inventory item with sku', sku, 'INVENTORY_NOT_FOUND');
  const warehouses = new Map((await listWarehouses(actor.tenant)).map((w) => [w.id, w]));
  const parts = [explainItem(actor, rec, 1, q, warehouses)];
  return { sku, quantity: q.quantity, ...verdict(parts, q), components: parts };
}

export async function explainVariant(actor: Actor, pid: string, vid: string, q: Query) {
  const v = await loadVariant(actor.tenant, vid);
  if (!v || v.product_id !== pid) throw notFound('Variant', vid);
  const [recs, whs] = await Promise.all([Promise.all(v.links.map((l) => loadItem(actor.tenant, l.inventory_item_id))), listWarehouses(actor.tenant)]);
  const warehouses = new Map(whs.map((w) => [w.id, w]));
  const parts = v.links.flatMap((l, i) => (recs[i] ? [explainItem(actor, recs[i]!, l.required_quantity, q, warehouses)] : []));
  return { variant: { product_id: pid, variant_id: vid }, quantity: q.quantity, ...verdict(parts, q), components: parts };
}
