import { defineHandler } from '#edge/http.ts';
import { inventoryTransfer } from '#routes';
import { transfer } from '#core/inventory.ts';

export const handler = defineHandler(inventoryTransfer)(async ({ actor, params, body }) => ({ data: await transfer(actor, params.sku, body) }));
