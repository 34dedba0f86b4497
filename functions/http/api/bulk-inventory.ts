import { defineHandler } from '#edge/http.ts';
import { bulkUpdate } from '#core/bulk.ts';

export const handler = defineHandler('inventory.bulk', async ({ actor, body }) => {
  const { data } = await bulkUpdate(actor, body.updates);
  return { data };
});
