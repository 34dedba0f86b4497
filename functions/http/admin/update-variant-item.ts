import { defineHandler } from '#edge/http.ts';
import { shown, VARIANT_DEFAULTS, VARIANT_MODEL } from '#core/fields.ts';
import { adminVariantsUpdateLink } from '#routes';
import { linkedNow, updateLink } from '#core/variants.ts';

const variant = (v: object, fields?: string) => shown(v, fields, VARIANT_DEFAULTS, VARIANT_MODEL);

export const handler = defineHandler(adminVariantsUpdateLink)(
  async ({ actor, params, body, query }) => ({
    variant: variant(await updateLink(actor, params.id, params.variant_id, params.inventory_item_id, body.required_quantity), query.fields),
  }),
  {
    replay: async ({ actor, params, query }) => ({ variant: variant(await linkedNow(actor, params.variant_id), query.fields) }),
  },
);
