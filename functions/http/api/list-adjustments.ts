import { defineHandler } from '#edge/http.ts';
import { inventoryAdjustments } from '#routes';
import { adjustments } from '#core/inventory.ts';

export const handler = defineHandler(inventoryAdjustments)(async ({ actor, params, query }) => adjustments(actor, params.sku, query));
