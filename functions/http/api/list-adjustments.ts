import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { adjustments } from '#core/inventory.ts';

export const handler = defineHandler(route['inventory.adjustments'])(async ({ actor, params, query }) => adjustments(actor, params.sku, query));
