import { defineHandler } from '#edge/http.ts';
import { adminLocationsGet } from '#routes';
import { getWarehouse } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsGet)(async ({ actor, params }) => ({
  stock_location: await getWarehouse(actor, params.id),
}));
