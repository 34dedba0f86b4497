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

/**
 * A variant as Medusa shows it under its product (another product's path: 404). A variant whose last
 * link is gone is still there, with `inventory_items: []`; one never linked is not known here.
 */
export async function getVariant(actor: Actor, pid: string, vid: string): Promise<VariantView> {
  const v = await store.loadVariant(actor.tenant, vid, true);
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

/**
 * Link an item to a variant (Medusa: the path's product id is not checked; linking again is accepted,
 * setting `required_quantity` when given). Answers the variant under its own product.
 */
export async function linkItem(actor: Actor, pid: string, vid: string, iid: string, requiredQuantity?: number): Promise<VariantView> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  const now = new Date().toISOString();
  const link: VariantLink = {
    id: newId('pvitem'),
    product_id: pid,
    variant_id: vid,
    inventory_item_id: iid,
    required_quantity: requiredQuantity ?? 1,
    created_at: now,
    updated_at: now,
  };
  await store.createLink(actor.tenant, link, requiredQuantity !== undefined);
  return variantOf(actor, vid);
}

/** A replay of a link or a link change: the variant as it is now, under its own product. */
export const linkedNow = (actor: Actor, vid: string, _iid?: string) => variantOf(actor, vid);

/** The variant under the product it belongs to, whatever product id the request's path named. */
async function variantOf(actor: Actor, vid: string): Promise<VariantView> {
  const v = await store.loadVariant(actor.tenant, vid, true);
  if (!v) throw notFound('Variant', vid);
  return getVariant(actor, v.product_id, vid);
}

export async function updateLink(actor: Actor, _pid: string, vid: string, iid: string, requiredQuantity: number): Promise<VariantView> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  await store.updateLink(actor.tenant, vid, iid, requiredQuantity, new Date().toISOString());
  return variantOf(actor, vid);
}

export interface Unlinked {
  /** Medusa's id of a deleted link: the pair it joined. */
  id: { Product: { variant_id: string }; Inventory: { inventory_item_id: string } };
  object: 'variant-inventory-item-link';
  deleted: true;
  /** What is left of the variant (no links left: `inventory_items: []`). */
  parent: VariantView;
}

export const unlinkedAnswer = (vid: string, iid: string, parent: VariantView): Unlinked => ({
  id: { Product: { variant_id: vid }, Inventory: { inventory_item_id: iid } },
  object: 'variant-inventory-item-link',
  deleted: true,
  parent,
});

/** Unlink (the path's product id is not checked, as Medusa); answers Medusa's delete shape with the variant as parent. */
export async function unlinkItem(actor: Actor, _pid: string, vid: string, iid: string): Promise<Unlinked> {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  await store.deleteLink(actor.tenant, vid, iid);
  return unlinkedAnswer(vid, iid, await variantOf(actor, vid));
}

/** A replay of an unlink: the variant as it is now. */
export async function unlinkedNow(actor: Actor, vid: string, iid: string): Promise<Unlinked> {
  return unlinkedAnswer(vid, iid, await variantOf(actor, vid));
}

type LinkInput = { variant_id: string; inventory_item_id: string; required_quantity?: number };
export interface LinkBatchInput {
  create?: LinkInput[];
  update?: LinkInput[];
  delete?: LinkInput[];
}

/** A link as Medusa's link module answers it: the pair it joins, and its data. */
const definition = (l: LinkInput) => ({
  Product: { variant_id: l.variant_id },
  Inventory: { inventory_item_id: l.inventory_item_id },
  ...(l.required_quantity !== undefined ? { data: { required_quantity: l.required_quantity } } : {}),
});

/** Medusa's answer to a link batch: the links created, changed and removed (also a replay's: nothing is read). */
export const batchedLinks = (body: LinkBatchInput) => ({
  created: (body.create ?? []).map(definition),
  updated: (body.update ?? []).map(definition),
  deleted: (body.delete ?? []).map(({ variant_id, inventory_item_id }) => definition({ variant_id, inventory_item_id })),
});

/** `POST /admin/products/{id}/variants/inventory-items/batch`: create, change and remove links, all or nothing. */
export async function batchLinks(actor: Actor, pid: string, body: LinkBatchInput) {
  mayWriteEverywhere(actor, 'change variant links (they decide what sells at every warehouse)');
  const ops = (list: LinkInput[] | undefined, name: string) => (list ?? []).map((o, i) => ({ ...o, field: `${name}[${i}]` }));
  await store.batchLinks(
    actor.tenant,
    pid,
    { create: ops(body.create, 'create'), update: ops(body.update, 'update'), delete: ops(body.delete, 'delete') },
    new Date().toISOString(),
    () => newId('pvitem'),
  );
  return batchedLinks(body);
}
