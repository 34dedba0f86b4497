import { defineHandler } from '#edge/http.ts';
import { createReservation, getReservation } from '#core/reservations.ts';

export const handler = defineHandler('admin.reservations.create', async ({ actor, body }) => ({
  reservation: await createReservation(actor, body),
}), {
  replay: async ({ actor }, ref) => ({ reservation: await getReservation(actor, ref!) }),
});
