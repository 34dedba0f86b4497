import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { listWarehouses } from '#core/locations.ts';

export const handler = defineHandler(route['inventory.warehouses.list'])(async ({ actor }) => ({ data: await listWarehouses(actor) }));
