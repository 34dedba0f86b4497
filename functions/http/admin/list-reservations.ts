import { defineHandler } from '#edge/http.ts';
import { adminReservationsList } from '#routes';
import { listReservations, showReservations } from '#core/reservations.ts';
import { fieldTree, RESERVATION_DEFAULTS, RESERVATION_MODEL } from '#core/fields.ts';

export const handler = defineHandler(adminReservationsList)(async ({ actor, query }) => {
  const { offset, limit, fields, ...filter } = query;
  const tree = fieldTree(RESERVATION_DEFAULTS, fields, RESERVATION_MODEL);
  const { reservations, count } = await listReservations(actor, filter, { offset, limit });
  return { reservations: (await showReservations(actor, reservations, tree)) as { id: string }[], count, offset, limit };
});
