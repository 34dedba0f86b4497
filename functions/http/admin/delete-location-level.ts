import { defineHandler } from '#edge/http.ts';
import { adminLevelsDelete } from '#routes';
import { deleteLevel } from '#core/levels.ts';

export const handler = defineHandler(adminLevelsDelete)(async ({ actor, params }) => {
  await deleteLevel(actor, params.id, params.location_id);
  return { id: `${params.id}:${params.location_id}`, object: 'inventory-level', deleted: true };
}, {
  replay: ({ params }) => ({ id: `${params.id}:${params.location_id}`, object: 'inventory-level', deleted: true }),
});
