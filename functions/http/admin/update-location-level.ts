import { defineHandler } from '#edge/http.ts';
import { setLevel } from '#core/levels.ts';

export const handler = defineHandler('admin.levels.update', async ({ actor, params, body }) => ({
  inventory_item: await setLevel(actor, params.id, params.location_id, body),
}));
