import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(route['inventory.warehouses.get'])(async ({ actor, params }) => ({ data: await getWarehouse(actor, params.id) }));
