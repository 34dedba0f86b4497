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
