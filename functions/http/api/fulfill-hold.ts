import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { fulfillHold } from '#core/holds.ts';

export const handler = defineHandler(route['holds.fulfill'])(async ({ actor, params, body }) => ({ data: await fulfillHold(actor, params.id, body?.lines) }));
