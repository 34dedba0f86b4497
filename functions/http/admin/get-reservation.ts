import { defineHandler } from '#edge/http.ts';
import { adminReservationsGet } from '#routes';
import { getReservation, showReservations } from '#core/reservations.ts';
import { fieldTree, RESERVATION_DEFAULTS, RESERVATION_MODEL } from '#core/fields.ts';

export const handler = defineHandler(adminReservationsGet)(async ({ actor, params, query }) => {
  const tree = fieldTree(RESERVATION_DEFAULTS, query.fields, RESERVATION_MODEL);
  const [reservation] = await showReservations(actor, [await getReservation(actor, params.id)], tree);
  return { reservation: reservation as { id: string } };
});
