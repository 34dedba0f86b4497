import { defineHandler } from '#edge/http.ts';
import { getSku } from '#core/inventory.ts';

export const handler = defineHandler('inventory.get', async ({ actor, params }) => ({ data: await getSku(actor, params.sku) }));
