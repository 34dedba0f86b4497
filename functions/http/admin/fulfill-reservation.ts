import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { fulfillReservation } from '#core/reservations.ts';

export const handler = defineHandler(route['admin.reservations.fulfill'])(async ({ actor, params }) => {
  const { reservation, level } = await fulfillReservation(actor, params.id);
  return { reservation, location_level: level };
});
