import { defineHandler } from '#edge/http.ts';
import { holdsExtend } from '#routes';
import { extendHold, getHold } from '#core/holds.ts';

export const handler = defineHandler(holdsExtend)(async ({ actor, params, body }) => ({ data: await extendHold(actor, params.id, body.expires_in_seconds) }), {
  // answered again when the first answer was not kept: the hold as it is now
  replay: async ({ actor, params }) => ({ data: await getHold(actor, params.id) }),
});
