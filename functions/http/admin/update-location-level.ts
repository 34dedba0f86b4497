import { getItem } from '#core/items.ts';
import { defineHandler } from '#edge/http.ts';
import { adminLevelsUpdate } from '#routes';
import { setLevel } from '#core/levels.ts';

export const handler = defineHandler(adminLevelsUpdate)(
  async ({ actor, params, body }) => ({
    inventory_item: await setLevel(actor, params.id, params.location_id, body),
  }),
  {
    replay: async ({ actor, params }) => ({ inventory_item: await getItem(actor, params.id) }),
  },
);
