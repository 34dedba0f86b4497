import { defineHandler } from '#edge/http.ts';
import { adminReservationsUpdate } from '#routes';
import { getReservation, updateReservation } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsUpdate)(
  async ({ actor, params, body }) => ({
    reservation: await updateReservation(actor, params.id, body),
  }),
  {
    replay: async ({ actor, params }) => ({ reservation: await getReservation(actor, params.id) }),
  },
);
