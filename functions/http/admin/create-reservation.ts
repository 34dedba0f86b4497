import { defineHandler } from '#edge/http.ts';
import { adminReservationsCreate } from '#routes';
import type { Actor, Reservation } from '#core/model.ts';
import { createReservation, getReservation, showReservations } from '#core/reservations.ts';
import { fieldTree, RESERVATION_DEFAULTS, RESERVATION_MODEL } from '#core/fields.ts';

/**
 * Medusa's answer: the reservation with its item (its default fields), or as `fields` asks. At a hot
 * level the item's figures may be up to a second old (store/items.ts loadItemForAnswer).
 */
const shown = async (actor: Actor, r: Reservation, fields?: string) => ({
  reservation: (await showReservations(actor, [r], fieldTree(RESERVATION_DEFAULTS, fields, RESERVATION_MODEL), true))[0] as { id: string },
});

export const handler = defineHandler(adminReservationsCreate)(
  async ({ actor, body, query }) => {
    fieldTree(RESERVATION_DEFAULTS, query.fields, RESERVATION_MODEL); // a bad `fields` refuses the request before it reserves
    return shown(actor, await createReservation(actor, body), query.fields);
  },
  {
    replay: async ({ actor, query }, ref) => shown(actor, await getReservation(actor, ref!), query.fields),
  },
);
