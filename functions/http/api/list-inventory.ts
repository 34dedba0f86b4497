import { defineHandler } from '#edge/http.ts';
import { listInventory } from '#core/inventory.ts';

export const handler = defineHandler('inventory.list', async ({ actor, query }) => listInventory(actor, query));
