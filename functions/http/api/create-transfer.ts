import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { transfer } from '#core/inventory.ts';

export const handler = defineHandler(route['inventory.transfer'])(async ({ actor, params, body }) => ({ data: await transfer(actor, params.sku, body) }));
