import { defineHandler } from '#edge/http.ts';
import { adminVariantsUnlink } from '#routes';
import { getVariant, unlinkItem } from '#core/variants.ts';

export const handler = defineHandler(adminVariantsUnlink)(async ({ actor, params }) => ({
  variant: await unlinkItem(actor, params.id, params.variant_id, params.inventory_item_id),
}), {
  replay: async ({ actor, params }) => ({ variant: await getVariant(actor, params.id, params.variant_id) }),
});
