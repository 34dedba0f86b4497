import { defineHandler } from '#edge/http.ts';
import { adminLocationsUpdate } from '#routes';
import { getWarehouse, stockLocation, updateWarehouse } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsUpdate)(
  async ({ actor, params, body }) => ({
    stock_location: stockLocation(await updateWarehouse(actor, params.id, body)),
  }),
  {
    replay: async ({ actor, params }) => ({ stock_location: stockLocation(await getWarehouse(actor, params.id)) }),
  },
);
