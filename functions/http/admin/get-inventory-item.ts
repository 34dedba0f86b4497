import { defineHandler } from '#edge/http.ts';
import { adminItemsGet } from '#routes';
import { getItem } from '#core/items.ts';

export const handler = defineHandler(adminItemsGet)(async ({ actor, params }) => ({
  inventory_item: await getItem(actor, params.id),
}));
