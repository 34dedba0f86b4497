import { defineHandler } from '#edge/http.ts';
import { inventoryWarehousesCreate } from '#routes';
import { createWarehouse, getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(inventoryWarehousesCreate)(async ({ actor, body }) => ({ data: await createWarehouse(actor, body) }), {
  replay: async ({ actor }, ref) => ({ data: await getWarehouse(actor, ref!) }),
});
