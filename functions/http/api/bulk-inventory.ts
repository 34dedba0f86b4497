import { defineHandler } from '#edge/http.ts';
import { inventoryBulk } from '#routes';
import { bulkUpdate } from '#core/bulk.ts';

// rows are absolute sets applied in several transactions: a re-run finds applied rows unchanged
export const handler = defineHandler(inventoryBulk)(async ({ actor, body }) => {
  const { data } = await bulkUpdate(actor, body.updates);
  return { data };
}, { rerunnable: true });
