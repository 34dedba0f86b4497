import { defineHandler } from '#edge/http.ts';
import { adminVariantsUnlink } from '#routes';
import { unlinkedNow, unlinkItem } from '#core/variants.ts';

/** Medusa's answer: `{ id, object: 'variant-inventory-item-link', deleted: true, parent: <the variant> }`. */
export const handler = defineHandler(adminVariantsUnlink)(
  async ({ actor, params }) => unlinkItem(actor, params.id, params.variant_id, params.inventory_item_id),
  {
    replay: ({ actor, params }) => unlinkedNow(actor, params.variant_id, params.inventory_item_id),
  },
);
