import { defineHandler } from '#edge/http.ts';
import { inventoryWarehousesList } from '#routes';
import { listWarehouses } from '#core/locations.ts';

export const handler = defineHandler(inventoryWarehousesList)(async ({ actor }) => ({ data: await listWarehouses(actor) }));
