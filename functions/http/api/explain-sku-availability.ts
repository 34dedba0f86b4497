import { defineHandler } from '#edge/http.ts';
import { explainSku } from '#core/explain.ts';

export const handler = defineHandler('inventory.availability', async ({ actor, params, query }) => ({ data: await explainSku(actor, params.sku, query) }));
