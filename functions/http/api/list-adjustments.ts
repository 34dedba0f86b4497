import { defineHandler } from '#edge/http.ts';
import { adjustments } from '#core/inventory.ts';

export const handler = defineHandler('inventory.adjustments', async ({ actor, params, query }) => adjustments(actor, params.sku, query));
