import { defineHandler } from '#edge/http.ts';
import { adminItemsCreate } from '#routes';
import { createItem, getItem } from '#core/items.ts';

export const handler = defineHandler(adminItemsCreate)(
  async ({ actor, body }) => ({
    inventory_item: await createItem(actor, body),
  }),
  {
    replay: async ({ actor }, ref) => ({ inventory_item: await getItem(actor, ref!) }),
  },
);
