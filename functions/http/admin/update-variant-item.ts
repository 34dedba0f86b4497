import { defineHandler } from '#edge/http.ts';
import { adminVariantsUpdateLink } from '#routes';
import { linkedNow, updateLink } from '#core/variants.ts';

export const handler = defineHandler(adminVariantsUpdateLink)(
  async ({ actor, params, body }) => ({
    variant: await updateLink(actor, params.id, params.variant_id, params.inventory_item_id, body.required_quantity),
  }),
  {
    replay: async ({ actor, params }) => ({ variant: await linkedNow(actor, params.variant_id) }),
  },
);
