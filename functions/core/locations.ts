/** Warehouses, which the admin family calls stock locations. */
import { notFound } from './errors.ts';
import { newId } from './ids.ts';
import type { Actor, Warehouse } from './model.ts';
import { mayWrite, mayWriteEverywhere, sees } from './access.ts';
import { writeContext } from './items.ts';
import * as store from '../store/locations.ts';

export type WarehouseInput = Partial<Omit<Warehouse, 'id' | 'created_at' | 'updated_at'>>;

export async function createWarehouse(actor: Actor, input: WarehouseInput & { name: string; id?: string }): Promise<Warehouse> {
  mayWriteEverywhere(actor, 'create warehouses');
  const now = new Date().toISOString();
  const w: Warehouse = {
    id: input.id ?? newId('wh'),
    name: input.name,
    address: input.address ?? null,
    type: input.type ?? 'own',
    marketplace: input.marketplace ?? null,
    is_active: input.is_active ?? true,
    // fulfilment by a marketplace (FBA/FBS) is managed there: read-only here unless said otherwise
    is_readonly: input.is_readonly ?? (input.type === 'FBA' || input.type === 'FBS'),
    priority: input.priority ?? 0,
    metadata: input.metadata ?? null,
    created_at: now,
    updated_at: now,
  };
  await store.putWarehouse(actor.tenant, w);
  return w;
}

export async function getWarehouse(actor: Actor, wid: string): Promise<Warehouse> {
  const w = sees(actor, wid) ? await store.getWarehouse(actor.tenant, wid) : undefined;
  if (!w) throw notFound('Stock location', wid, 'WAREHOUSE_NOT_FOUND');
  return w;
}

/**
 * The tenant's warehouses (one Query of their index; filtered here, so a list's count and pages are
 * exact: core/filters.ts). `q`: a case-insensitive substring of the name. `name`: exactly that name —
 * or, as a list (`name=a,b`, `name[0]=a&name[1]=b`), any of them; a name that itself holds a comma
 * matches as a whole too.
 */
export async function listWarehouses(actor: Actor, q?: string, name?: string): Promise<Warehouse[]> {
  const all = await store.listWarehouses(actor.tenant);
  const needle = q?.toLowerCase();
  const names = name === undefined ? undefined : new Set([name, ...name.split(',').map((n) => n.trim())]);
  return all
    .filter((w) => sees(actor, w.id))
    .filter((w) => !needle || w.name.toLowerCase().includes(needle))
    .filter((w) => !names || names.has(w.name))
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
}

export async function updateWarehouse(actor: Actor, wid: string, patch: WarehouseInput): Promise<Warehouse> {
  mayWrite(actor, wid);
  return store.updateWarehouse(actor.tenant, wid, { ...patch, updated_at: new Date().toISOString() });
}

export async function deleteWarehouse(actor: Actor, wid: string): Promise<void> {
  mayWrite(actor, wid);
  await store.deleteWarehouse(writeContext(actor), wid);
}

const ADDRESS_FIELDS = ['address_1', 'address_2', 'company', 'city', 'country_code', 'phone', 'province', 'postal_code'] as const;
/** A stock location's address as Medusa's types have it: its own id (`laddr_…`, from the location's), every field (null when not set), metadata. */
export type ShownAddress = { id: string; metadata: null } & Record<(typeof ADDRESS_FIELDS)[number], string | null>;

/**
 * A warehouse as the admin family shows it (Medusa's stock location): the address an object with an
 * id and every field — a one-line text address (the inventory family's) becomes its `address_1`.
 */
export function stockLocation(w: Warehouse): Omit<Warehouse, 'address'> & { address: ShownAddress | null } {
  if (w.address === null) return { ...w, address: null };
  const given = typeof w.address === 'string' ? { address_1: w.address } : w.address;
  const address = { id: `laddr_${w.id.replace(/^wh_/, '')}` } as ShownAddress;
  for (const f of ADDRESS_FIELDS) address[f] = given[f] ?? null;
  address.metadata = null;
  return { ...w, address };
}

export const LOCATION_ORDERS = ['name', 'created_at', 'priority', 'id'] as const;
/** `order` over the warehouses already read: a field, `-field` descending; ties by id. */
export function orderWarehouses(all: Warehouse[], order?: string): Warehouse[] {
  if (!order) return all;
  const desc = order.startsWith('-');
  const field = order.replace(/^-/, '') as (typeof LOCATION_ORDERS)[number];
  return [...all].sort((a, b) => {
    const [x, y] = [a[field], b[field]];
    const c = x < y ? -1 : x > y ? 1 : a.id.localeCompare(b.id);
    return desc ? -c : c;
  });
}
