import { defineHandler } from '#edge/http.ts';
import { createItem } from '#core/items.ts';

export const handler = defineHandler('admin.items.create', async ({ actor, body }) => ({
  inventory_item: await createItem(actor, body),
}));
