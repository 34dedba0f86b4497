import { defineHandler } from '#edge/http.ts';
import { adminLocationsUpdate } from '#routes';
import { getWarehouse, updateWarehouse } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsUpdate)(
  async ({ actor, params, body }) => ({
    stock_location: await updateWarehouse(actor, params.id, body),
  }),
  {
    replay: async ({ actor, params }) => ({ stock_location: await getWarehouse(actor, params.id) }),
  },
);
