import { defineHandler } from '#edge/http.ts';
import { adminReservationsCreate } from '#routes';
import { createReservation, getReservation } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsCreate)(
  async ({ actor, body }) => ({
    reservation: await createReservation(actor, body),
  }),
  {
    replay: async ({ actor }, ref) => ({ reservation: await getReservation(actor, ref!) }),
  },
);
