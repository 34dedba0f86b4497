import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createWarehouse, getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(route['inventory.warehouses.create'])(async ({ actor, body }) => ({ data: await createWarehouse(actor, body) }), {
  replay: async ({ actor }, ref) => ({ data: await getWarehouse(actor, ref!) }),
});
