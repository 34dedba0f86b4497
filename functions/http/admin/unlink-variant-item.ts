import { defineHandler } from '#edge/http.ts';
import { shown, VARIANT_DEFAULTS, VARIANT_MODEL } from '#core/fields.ts';
import { adminVariantsUnlink } from '#routes';
import { unlinkedNow, unlinkItem } from '#core/variants.ts';

/** Medusa's answer: `{ id, object: 'variant-inventory-item-link', deleted: true, parent: <the variant> }`. */
const parent = (v: object, fields?: string) => shown(v, fields, VARIANT_DEFAULTS, VARIANT_MODEL);

export const handler = defineHandler(adminVariantsUnlink)(
  async ({ actor, params, query }) => {
    const answer = await unlinkItem(actor, params.id, params.variant_id, params.inventory_item_id);
    return { ...answer, parent: parent(answer.parent, query.fields) };
  },
  {
    replay: async ({ actor, params, query }) => {
      const answer = await unlinkedNow(actor, params.variant_id, params.inventory_item_id);
      return { ...answer, parent: parent(answer.parent, query.fields) };
    },
  },
);
