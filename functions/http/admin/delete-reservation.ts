import { defineHandler } from '#edge/http.ts';
import { adminReservationsDelete } from '#routes';
import { releaseReservation } from '#core/reservations.ts';

export const handler = defineHandler(adminReservationsDelete)(
  async ({ actor, params }) => {
    await releaseReservation(actor, params.id);
    return { id: params.id, object: 'reservation', deleted: true };
  },
  {
    replay: ({ params }) => ({ id: params.id, object: 'reservation', deleted: true }),
  },
);
