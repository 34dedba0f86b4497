import { defineHandler } from '#edge/http.ts';
import { transfer } from '#core/inventory.ts';

export const handler = defineHandler('inventory.transfer', async ({ actor, params, body }) => ({ data: await transfer(actor, params.sku, body) }));
