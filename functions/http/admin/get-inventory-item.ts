import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getItem } from '#core/items.ts';

export const handler = defineHandler(route['admin.items.get'])(async ({ actor, params }) => ({
  inventory_item: await getItem(actor, params.id),
}));
