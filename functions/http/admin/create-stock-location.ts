import { defineHandler } from '#edge/http.ts';
import { adminLocationsCreate } from '#routes';
import { createWarehouse, getWarehouse, stockLocation } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsCreate)(
  async ({ actor, body }) => ({
    stock_location: stockLocation(await createWarehouse(actor, body)),
  }),
  {
    replay: async ({ actor }, ref) => ({ stock_location: stockLocation(await getWarehouse(actor, ref!)) }),
  },
);
