import { defineHandler } from '#edge/http.ts';
import { adminLocationsDelete } from '#routes';
import { deleteWarehouse } from '#core/locations.ts';

export const handler = defineHandler(adminLocationsDelete)(
  async ({ actor, params }) => {
    await deleteWarehouse(actor, params.id);
    return { id: params.id, object: 'stock_location', deleted: true };
  },
  {
    replay: ({ params }) => ({ id: params.id, object: 'stock_location', deleted: true }),
  },
);
