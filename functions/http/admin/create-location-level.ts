import { getItem } from '#core/items.ts';
import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createLevel } from '#core/levels.ts';

export const handler = defineHandler(route['admin.levels.create'])(async ({ actor, params, body }) => ({
  inventory_item: await createLevel(actor, params.id, body),
}), {
  replay: async ({ actor, params }) => ({ inventory_item: await getItem(actor, params.id) }),
});
