import { defineHandler } from '#edge/http.ts';
import { setStock } from '#core/inventory.ts';

export const handler = defineHandler('inventory.set', async ({ actor, params, body }) => ({ data: await setStock(actor, params.sku, body) }));
