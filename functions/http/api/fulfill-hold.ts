import { defineHandler } from '#edge/http.ts';
import { holdsFulfill } from '#routes';
import { fulfillHold } from '#core/holds.ts';

export const handler = defineHandler(holdsFulfill)(async ({ actor, params, body }) => ({ data: await fulfillHold(actor, params.id, body?.lines) }));
