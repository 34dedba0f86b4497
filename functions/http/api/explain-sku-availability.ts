import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { explainSku } from '#core/explain.ts';

export const handler = defineHandler(route['inventory.availability'])(async ({ actor, params, query }) => ({ data: await explainSku(actor, params.sku, query) }));
