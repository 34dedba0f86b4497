import { defineHandler } from '#edge/http.ts';
import { adminReservationsGet } from '#routes';
import { getReservation } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsGet)(async ({ actor, params }) => ({
  reservation: await getReservation(actor, params.id),
}));
