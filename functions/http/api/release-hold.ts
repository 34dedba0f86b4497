import { defineHandler } from '#edge/http.ts';
import { holdsRelease } from '#routes';
import { releaseHold, getHold } from '#core/holds.ts';

export const handler = defineHandler(holdsRelease)(async ({ actor, params }) => ({ data: await releaseHold(actor, params.id) }), {
  // answered again when the first answer was not kept: the hold as it is now
  replay: async ({ actor, params }) => ({ data: await getHold(actor, params.id) }),
});
