import { defineHandler } from '#edge/http.ts';
import { updateReservation } from '#core/reservations.ts';

export const handler = defineHandler('admin.reservations.update', async ({ actor, params, body }) => ({
  reservation: await updateReservation(actor, params.id, body),
}));
