import { getItem } from '#core/items.ts';
import { defineHandler } from '#edge/http.ts';
import { adminLevelsAdjust } from '#routes';
import { adjustLevel } from '#core/levels.ts';

export const handler = defineHandler(adminLevelsAdjust)(
  async ({ actor, params, body }) => ({
    inventory_item: await adjustLevel(actor, params.id, params.location_id, body),
  }),
  {
    replay: async ({ actor, params }) => ({ inventory_item: await getItem(actor, params.id) }),
  },
);
