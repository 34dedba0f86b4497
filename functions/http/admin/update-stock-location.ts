import { defineHandler } from '#edge/http.ts';
import { updateWarehouse } from '#core/locations.ts';

export const handler = defineHandler('admin.locations.update', async ({ actor, params, body }) => ({
  stock_location: await updateWarehouse(actor, params.id, body),
}));
