import { defineHandler } from '#edge/http.ts';
import { adminLevelsBatch } from '#routes';
import { batchItemLevels } from '#core/levels.ts';

/** Medusa's `{ created, updated, deleted }` and the item after (Medusa 2.0's `inventory_item`); a replay reads them as they are now. */
export const handler = defineHandler(adminLevelsBatch)(async ({ actor, params, body }) => batchItemLevels(actor, params.id, body), {
  replay: ({ actor, params, body }) => batchItemLevels(actor, params.id, body, true),
});
