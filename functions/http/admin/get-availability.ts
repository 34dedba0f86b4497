import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { availability } from '#core/levels.ts';

export const handler = defineHandler(route['admin.items.availability'])(async ({ actor, params, query }) =>
  availability(actor, params.id, query.location_id, query.quantity),
);
