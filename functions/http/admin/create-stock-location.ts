import { defineHandler } from '#edge/http.ts';
import { createWarehouse } from '#core/locations.ts';

export const handler = defineHandler('admin.locations.create', async ({ actor, body }) => ({
  stock_location: await createWarehouse(actor, body),
}));
