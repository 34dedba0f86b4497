import { defineHandler } from '#edge/http.ts';
import { adminItemsAvailability } from '#routes';
import { availability } from '#core/levels.ts';

export const handler = defineHandler(adminItemsAvailability)(async ({ actor, params, query }) =>
  availability(actor, params.id, query.location_id, query.quantity),
);
