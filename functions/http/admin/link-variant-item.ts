import { defineHandler } from '#edge/http.ts';
import { shown, VARIANT_DEFAULTS, VARIANT_MODEL } from '#core/fields.ts';
import { adminVariantsLink } from '#routes';
import { linkedNow, linkItem } from '#core/variants.ts';

const variant = (v: object, fields?: string) => shown(v, fields, VARIANT_DEFAULTS, VARIANT_MODEL);

export const handler = defineHandler(adminVariantsLink)(
  async ({ actor, params, body, query }) => ({
    variant: variant(await linkItem(actor, params.id, params.variant_id, body.inventory_item_id, body.required_quantity), query.fields),
  }),
  {
    replay: async ({ actor, params, body, query }) => ({ variant: variant(await linkedNow(actor, params.variant_id, body.inventory_item_id), query.fields) }),
  },
);
