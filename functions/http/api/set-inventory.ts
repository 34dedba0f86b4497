import { defineHandler } from '#edge/http.ts';
import { inventorySet } from '#routes';
import { getSku, setStock } from '#core/inventory.ts';

export const handler = defineHandler(inventorySet)(async ({ actor, params, body }) => ({ data: await setStock(actor, params.sku, body) }), {
  replay: async ({ actor, params }) => ({ data: await getSku(actor, params.sku) }),
});
