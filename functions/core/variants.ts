/** Variant ↔ inventory item links and the variant's inventory_quantity (variant links). */
import { notFound } from './errors.ts';
import { newId } from './ids.ts';
import type { Actor, VariantLink } from './model.ts';
import { mayWriteEverywhere, visibleLevels } from './access.ts';
import { withLevels } from './items.ts';
import type { ItemWithLevels } from './items.ts';
import * as store from '../store/links.ts';
import { loadItem } from '../store/items.ts';

export interface VariantView {
  id: string;
  product_id: string;
  inventory_quantity: number;
  inventory_items: { id: string; variant_id: string; inventory_item_id: string; required_quantity: number; inventory: ItemWithLevels }[];
}

/** Medusa's rule: min over linked items of floor(Σ available ÷ required_quantity). */
export function inventoryQuantity(parts: { available: number; required: number }[]): number {
  if (parts.length === 0) return 0;
  return Math.max(0, Math.min(...parts.map((p) => Math.floor(p.available / p.required))));
}

export async function getVariant(actor: Actor, pid: string, vid: string): Promise<VariantView> {
  const v = await store.loadVariant(actor.tenant, vid);
  if (!v || v.product_id !== pid) throw notFound('Variant', vid);
  const recs = await Promise.all(v.links.map((l) => loadItem(actor.tenant, l.inventory_item_id)));
  const items = v.links.flatMap((l, i) => {
    const rec = recs[i];
    return rec ? [{ link: l, inv: withLevels(rec.item, visibleLevels(actor, rec.levels)) }] : [];
  });
  return {
    id: vid,
    product_id: pid,
    inventory_quantity: inventoryQuantity(
      items.map(({ link, inv }) => ({
        available: inv.location_levels.reduce((a, l) => a + l.available_quantity, 0),
        required: link.required_quantity,
      })),
    ),
    inventory_items: items.map(({ link, inv }) => ({
      id: link.id,
      variant_id: vid,
      inventory_item_id: link.inventory_item_id,
      required_quantity: link.required_quantity,
      inventory: inv,
    })),
  };
}

export async function linkItem(actor: Actor, pid: string, vid: string, iid: string, requiredQuantity = 1): Promise<VariantView> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  const now = new Date().toISOString();
  const link: VariantLink = {
    id: newId('pvitem'),
    product_id: pid,
    variant_id: vid,
    inventory_item_id: iid,
    required_quantity: requiredQuantity,
    created_at: now,
    updated_at: now,
  };
  await store.createLink(actor.tenant, link);
  return getVariant(actor, pid, vid);
}

export async function updateLink(actor: Actor, pid: string, vid: string, iid: string, requiredQuantity: number): Promise<VariantView> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  await store.updateLink(actor.tenant, pid, vid, iid, requiredQuantity, new Date().toISOString());
  return getVariant(actor, pid, vid);
}

/** Unlink; answers with what is left of the variant (no links left: an empty variant). */
export async function unlinkItem(actor: Actor, pid: string, vid: string, iid: string): Promise<VariantView> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  await store.deleteLink(actor.tenant, pid, vid, iid);
  const v = await store.loadVariant(actor.tenant, vid);
  if (!v) return { id: vid, product_id: pid, inventory_quantity: 0, inventory_items: [] };
  return getVariant(actor, pid, vid);
}
