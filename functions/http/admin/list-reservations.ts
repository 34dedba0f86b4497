import { defineHandler } from '#edge/http.ts';
import { adminReservationsList } from '#routes';
import { listReservations } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsList)(async ({ actor, query }) => {
  const { offset, limit, ...filter } = query;
  const { reservations, count } = await listReservations(actor, filter, { offset, limit });
  return { reservations, count, offset, limit };
});
