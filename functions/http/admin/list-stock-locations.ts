import { defineHandler } from '#edge/http.ts';
import { adminLocationsList } from '#routes';
import { listWarehouses } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsList)(async ({ actor, query }) => {
  const all = await listWarehouses(actor, query.q, query.name);
  return { stock_locations: all.slice(query.offset, query.offset + query.limit), count: all.length, offset: query.offset, limit: query.limit };
});
