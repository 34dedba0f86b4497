import { defineHandler } from '#edge/http.ts';
import { adminLocationsList } from '#routes';
import { listWarehouses, orderWarehouses, stockLocation } from '#core/locations.ts';
import { fieldTree, LOCATION_DEFAULTS, LOCATION_MODEL, select } from '#core/fields.ts';

export const handler = defineHandler(adminLocationsList)(async ({ actor, query }) => {
  const tree = fieldTree(LOCATION_DEFAULTS, query.fields, LOCATION_MODEL);
  const all = orderWarehouses(await listWarehouses(actor, query.q, query.name), query.order);
  return {
    stock_locations: all.slice(query.offset, query.offset + query.limit).map((w) => select(stockLocation(w), tree, LOCATION_MODEL) as { id: string }),
    count: all.length,
    offset: query.offset,
    limit: query.limit,
  };
});
