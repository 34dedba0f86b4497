import { defineHandler } from '#edge/http.ts';
import { inventoryWarehousesGet } from '#routes';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(inventoryWarehousesGet)(async ({ actor, params }) => ({ data: await getWarehouse(actor, params.id) }));
