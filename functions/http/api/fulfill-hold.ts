import { defineHandler } from '#edge/http.ts';
import { holdsFulfill } from '#routes';
import { fulfillHold, getHold } from '#core/holds.ts';

export const handler = defineHandler(holdsFulfill)(async ({ actor, params, body }) => ({ data: await fulfillHold(actor, params.id, body?.lines) }), {
  // answered again when the first answer was not kept: the hold as it is now
  replay: async ({ actor, params }) => ({ data: await getHold(actor, params.id) }),
});
