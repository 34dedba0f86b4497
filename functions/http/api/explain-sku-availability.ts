import { defineHandler } from '#edge/http.ts';
import { inventoryAvailability } from '#routes';
import { explainSku } from '#core/explain.ts';

export const handler = defineHandler(inventoryAvailability)(async ({ actor, params, query }) => ({ data: await explainSku(actor, params.sku, query) }));
