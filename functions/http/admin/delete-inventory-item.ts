import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { deleteItem } from '#core/items.ts';

export const handler = defineHandler(route['admin.items.delete'])(async ({ actor, params }) => {
  await deleteItem(actor, params.id);
  return { id: params.id, object: 'inventory-item', deleted: true };
}, {
  replay: ({ params }) => ({ id: params.id, object: 'inventory-item', deleted: true }),
});
