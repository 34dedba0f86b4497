import { defineHandler } from '#edge/http.ts';
import { fulfillReservation } from '#core/reservations.ts';

export const handler = defineHandler('admin.reservations.fulfill', async ({ actor, params }) => {
  const { reservation, level } = await fulfillReservation(actor, params.id);
  return { reservation, location_level: level };
});
