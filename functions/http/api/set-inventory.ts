import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getSku, setStock } from '#core/inventory.ts';

export const handler = defineHandler(route['inventory.set'])(async ({ actor, params, body }) => ({ data: await setStock(actor, params.sku, body) }), {
  replay: async ({ actor, params }) => ({ data: await getSku(actor, params.sku) }),
});
