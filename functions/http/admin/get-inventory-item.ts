import { defineHandler } from '#edge/http.ts';
import { getItem } from '#core/items.ts';

export const handler = defineHandler('admin.items.get', async ({ actor, params }) => ({
  inventory_item: await getItem(actor, params.id),
}));
