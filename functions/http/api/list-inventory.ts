import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { listInventory } from '#core/inventory.ts';

export const handler = defineHandler(route['inventory.list'])(async ({ actor, query }) => listInventory(actor, query));
