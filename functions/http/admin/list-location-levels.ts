import { defineHandler } from '#edge/http.ts';
import { adminLevelsList } from '#routes';
import { listLevels } from '#core/levels.ts';

export const handler = defineHandler(adminLevelsList)(async ({ actor, params, query }) => listLevels(actor, params.id, query));
