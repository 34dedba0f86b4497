import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(route['admin.locations.get'])(async ({ actor, params }) => ({
  stock_location: await getWarehouse(actor, params.id),
}));
