import { defineHandler } from '#edge/http.ts';
import { inventoryWarehousesUpdate } from '#routes';
import { getWarehouse, updateWarehouse } from '#core/locations.ts';

export const handler = defineHandler(inventoryWarehousesUpdate)(async ({ actor, params, body }) => ({ data: await updateWarehouse(actor, params.id, body) }), {
  replay: async ({ actor, params }) => ({ data: await getWarehouse(actor, params.id) }),
});
