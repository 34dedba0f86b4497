import { defineHandler } from '#edge/http.ts';
import { inventoryList } from '#routes';
import { listInventory } from '#core/inventory.ts';

export const handler = defineHandler(inventoryList)(async ({ actor, query }) => listInventory(actor, query));
