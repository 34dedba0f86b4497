import { defineHandler } from '#edge/http.ts';
import { getReservation } from '#core/reservations.ts';

export const handler = defineHandler('admin.reservations.get', async ({ actor, params }) => ({
  reservation: await getReservation(actor, params.id),
}));
