import { defineHandler } from '#edge/http.ts';
import { createReservation } from '#core/reservations.ts';

export const handler = defineHandler('admin.reservations.create', async ({ actor, body }) => ({
  reservation: await createReservation(actor, body),
}));
