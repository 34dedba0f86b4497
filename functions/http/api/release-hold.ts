import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { releaseHold } from '#core/holds.ts';

export const handler = defineHandler(route['holds.release'])(async ({ actor, params }) => ({ data: await releaseHold(actor, params.id) }));
