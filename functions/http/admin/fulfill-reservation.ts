import { defineHandler } from '#edge/http.ts';
import { adminReservationsFulfill } from '#routes';
import { fulfillReservation } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsFulfill)(async ({ actor, params }) => {
  const { reservation, level } = await fulfillReservation(actor, params.id);
  return { reservation, location_level: level };
});
