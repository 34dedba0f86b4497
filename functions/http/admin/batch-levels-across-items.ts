import { defineHandler } from '#edge/http.ts';
import { adminLevelsBatchAcross } from '#routes';
import { batchLevels } from '#core/levels.ts';

/** Medusa's `{ created, updated, deleted }`; a replay reads the levels as they are now. */
export const handler = defineHandler(adminLevelsBatchAcross)(async ({ actor, body }) => batchLevels(actor, body), {
  replay: ({ actor, body }) => batchLevels(actor, body, true),
});
