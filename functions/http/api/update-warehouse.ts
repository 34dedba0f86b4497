import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getWarehouse, updateWarehouse } from '#core/locations.ts';

export const handler = defineHandler(route['inventory.warehouses.update'])(async ({ actor, params, body }) => ({ data: await updateWarehouse(actor, params.id, body) }), {
  replay: async ({ actor, params }) => ({ data: await getWarehouse(actor, params.id) }),
});
