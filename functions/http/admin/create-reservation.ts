import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createReservation, getReservation } from '#core/reservations.ts';

export const handler = defineHandler(route['admin.reservations.create'])(async ({ actor, body }) => ({
  reservation: await createReservation(actor, body),
}), {
  replay: async ({ actor }, ref) => ({ reservation: await getReservation(actor, ref!) }),
});
