import { defineHandler } from '#edge/http.ts';
import { createLevel } from '#core/levels.ts';

export const handler = defineHandler('admin.levels.create', async ({ actor, params, body }) => ({
  inventory_item: await createLevel(actor, params.id, body),
}));
