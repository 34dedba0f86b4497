import { defineHandler } from '#edge/http.ts';
import { adminLocationsGet } from '#routes';
import { getWarehouse, stockLocation } from '#core/locations.ts';
import { fieldTree, LOCATION_DEFAULTS, LOCATION_MODEL, select } from '#core/fields.ts';

export const handler = defineHandler(adminLocationsGet)(async ({ actor, params, query }) => {
  const tree = fieldTree(LOCATION_DEFAULTS, query.fields, LOCATION_MODEL);
  return { stock_location: select(stockLocation(await getWarehouse(actor, params.id)), tree, LOCATION_MODEL) as { id: string } };
});
