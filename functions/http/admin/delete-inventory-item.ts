import { defineHandler } from '#edge/http.ts';
import { adminItemsDelete } from '#routes';
import { deleteItem } from '#core/items.ts';

export const handler = defineHandler(adminItemsDelete)(
  async ({ actor, params }) => {
    await deleteItem(actor, params.id);
    return { id: params.id, object: 'inventory-item', deleted: true };
  },
  {
    replay: ({ params }) => ({ id: params.id, object: 'inventory-item', deleted: true }),
  },
);
