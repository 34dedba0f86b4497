import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getSku } from '#core/inventory.ts';

export const handler = defineHandler(route['inventory.get'])(async ({ actor, params }) => ({ data: await getSku(actor, params.sku) }));
