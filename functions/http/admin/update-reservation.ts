import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getReservation, updateReservation } from '#core/reservations.ts';

export const handler = defineHandler(route['admin.reservations.update'])(async ({ actor, params, body }) => ({
  reservation: await updateReservation(actor, params.id, body),
}), {
  replay: async ({ actor, params }) => ({ reservation: await getReservation(actor, params.id) }),
});
