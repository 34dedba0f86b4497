import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getHold } from '#core/holds.ts';

export const handler = defineHandler(route['holds.get'])(async ({ actor, params }) => ({ data: await getHold(actor, params.id) }));
