import { defineHandler } from '#edge/http.ts';
import { adminLevelsDelete } from '#routes';
import { deletedLevel, deleteLevel } from '#core/levels.ts';

/** Medusa's answer: `{ id, object: 'inventory-level', deleted: true, parent: <the item, with its remaining levels> }`. */
export const handler = defineHandler(adminLevelsDelete)(async ({ actor, params }) => deleteLevel(actor, params.id, params.location_id), {
  replay: ({ actor, params }) => deletedLevel(actor, params.id, params.location_id),
});
