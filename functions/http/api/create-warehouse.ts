import { defineHandler } from '#edge/http.ts';
import { createWarehouse } from '#core/locations.ts';

export const handler = defineHandler('inventory.warehouses.create', async ({ actor, body }) => ({ data: await createWarehouse(actor, body) }));
