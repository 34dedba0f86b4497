import { defineHandler } from '#edge/http.ts';
import { adminReservationsUpdate } from '#routes';
import type { Actor, Reservation } from '#core/model.ts';
import { getReservation, showReservations, updateReservation } from '#core/reservations.ts';
import { fieldTree, RESERVATION_DEFAULTS, RESERVATION_MODEL } from '#core/fields.ts';

/** Medusa's answer: the reservation with its item (its default fields), or as `fields` asks. */
const shown = async (actor: Actor, r: Reservation, fields?: string) => ({
  reservation: (await showReservations(actor, [r], fieldTree(RESERVATION_DEFAULTS, fields, RESERVATION_MODEL)))[0] as { id: string },
});

export const handler = defineHandler(adminReservationsUpdate)(
  async ({ actor, params, body, query }) => {
    fieldTree(RESERVATION_DEFAULTS, query.fields, RESERVATION_MODEL); // a bad `fields` refuses the request before it changes anything
    return shown(actor, await updateReservation(actor, params.id, body), query.fields);
  },
  {
    replay: async ({ actor, params, query }) => shown(actor, await getReservation(actor, params.id), query.fields),
  },
);
