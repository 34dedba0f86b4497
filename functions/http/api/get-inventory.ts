import { defineHandler } from '#edge/http.ts';
import { inventoryGet } from '#routes';
import { getSku } from '#core/inventory.ts';

export const handler = defineHandler(inventoryGet)(async ({ actor, params }) => ({ data: await getSku(actor, params.sku) }));
