import { defineHandler } from '#edge/http.ts';
import { adminVariantsLink } from '#routes';
import { linkedNow, linkItem } from '#core/variants.ts';

export const handler = defineHandler(adminVariantsLink)(
  async ({ actor, params, body }) => ({
    variant: await linkItem(actor, params.id, params.variant_id, body.inventory_item_id, body.required_quantity),
  }),
  {
    replay: async ({ actor, params, body }) => ({ variant: await linkedNow(actor, params.variant_id, body.inventory_item_id) }),
  },
);
