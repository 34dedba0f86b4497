import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createItem, getItem } from '#core/items.ts';

export const handler = defineHandler(route['admin.items.create'])(async ({ actor, body }) => ({
  inventory_item: await createItem(actor, body),
}), {
  replay: async ({ actor }, ref) => ({ inventory_item: await getItem(actor, ref!) }),
});
