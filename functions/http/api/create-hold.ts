import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createHold } from '#core/holds.ts';

export const handler = defineHandler(route['holds.create'])(async ({ actor, body }) => ({ data: await createHold(actor, body) }));
