import { defineHandler } from '#edge/http.ts';
import { adminItemsCreate } from '#routes';
import { createItem, getItem } from '#core/items.ts';
import { createItemWithLevels } from '#core/levels.ts';

/** With Medusa's `location_levels`, the item and its levels in one all-or-nothing write (answered with its levels). */
export const handler = defineHandler(adminItemsCreate)(
  async ({ actor, body }) => ({
    inventory_item: body.location_levels?.length ? await createItemWithLevels(actor, body) : await createItem(actor, body),
  }),
  {
    replay: async ({ actor }, ref) => ({ inventory_item: await getItem(actor, ref!) }),
  },
);
