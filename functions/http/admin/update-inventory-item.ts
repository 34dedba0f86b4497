import { getItem } from '#core/items.ts';
import { defineHandler } from '#edge/http.ts';
import { adminItemsUpdate } from '#routes';
import { updateItem } from '#core/items.ts';

export const handler = defineHandler(adminItemsUpdate)(
  async ({ actor, params, body }) => ({
    inventory_item: await updateItem(actor, params.id, body),
  }),
  {
    replay: async ({ actor, params }) => ({ inventory_item: await getItem(actor, params.id) }),
  },
);
