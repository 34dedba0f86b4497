import { defineHandler } from '#edge/http.ts';
import { listWarehouses } from '#core/locations.ts';

export const handler = defineHandler('inventory.warehouses.list', async ({ actor }) => ({ data: await listWarehouses(actor) }));
