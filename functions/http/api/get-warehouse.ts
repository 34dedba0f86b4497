import { defineHandler } from '#edge/http.ts';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler('inventory.warehouses.get', async ({ actor, params }) => ({ data: await getWarehouse(actor, params.id) }));
