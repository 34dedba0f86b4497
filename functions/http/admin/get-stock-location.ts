import { defineHandler } from '#edge/http.ts';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler('admin.locations.get', async ({ actor, params }) => ({
  stock_location: await getWarehouse(actor, params.id),
}));
