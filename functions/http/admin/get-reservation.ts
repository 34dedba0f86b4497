import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getReservation } from '#core/reservations.ts';

export const handler = defineHandler(route['admin.reservations.get'])(async ({ actor, params }) => ({
  reservation: await getReservation(actor, params.id),
}));
